"""ONNX export of a torchvision Mask R-CNN in RealtimeSeg's two contracts, shared by tools/export_torchvision.py
and tools/train_maskrcnn.py (so a model trained by `realtimeseg train` is exported exactly as a COCO one is).

  STEM.onnx          torchvision-raw contract: 28x28 masks per box, pasted by RealtimeSeg (on the GPU when drawing)
  STEM_pasted.onnx   torchvision contract: masks pasted inside the graph
  STEM.labels.txt    class names, background first (also in both models' metadata)
"""
import json
import os

import torch
import torch.nn as nn

OUTPUTS = ["boxes", "labels", "scores", "masks"]


class ExportWrapper(nn.Module):
    """One image in, the four outputs as a tuple (the ONNX contract's order)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, image):
        out = self.model([image])[0]
        return out["boxes"], out["labels"], out["scores"], out["masks"]


class RawMasks:
    """Export without the paste step: torchvision's `paste_masks_in_image` returns the 28x28 masks as they are."""

    def __enter__(self):
        from torchvision.models.detection import transform
        self.transform = transform
        self.saved = transform.paste_masks_in_image
        transform.paste_masks_in_image = lambda masks, boxes, img_shape, padding=1: masks

    def __exit__(self, *exc):
        self.transform.paste_masks_in_image = self.saved


def add_metadata(path, props):
    import onnx
    m = onnx.load(path)
    for k, v in props.items():
        entry = m.metadata_props.add()
        entry.key, entry.value = k, v
    onnx.save(m, path)


def export(model, out_dir, stem, names, min_size, max_size, extra_metadata=None):
    """Writes the three files; returns (raw, pasted, labels) paths. `names` starts with the background."""
    model.eval()
    wrapper = ExportWrapper(model).eval()
    example = (torch.rand(3, min_size, max_size),)
    dyn = {"image": {1: "height", 2: "width"}, "boxes": {0: "N"}, "labels": {0: "N"}, "scores": {0: "N"}, "masks": {0: "N"}}
    meta = {"realtimeseg.num_classes": str(len(names)), "realtimeseg.min_size": str(min_size),
            "realtimeseg.max_size": str(max_size), "realtimeseg.labels": json.dumps(names), **(extra_metadata or {})}
    os.makedirs(out_dir, exist_ok=True)
    raw = os.path.join(out_dir, stem + ".onnx")
    with RawMasks(), torch.no_grad():
        torch.onnx.export(wrapper, example, raw, opset_version=11, input_names=["image"], output_names=OUTPUTS, dynamic_axes=dyn)
    add_metadata(raw, {**meta, "realtimeseg.contract": "torchvision-raw"})
    pasted = os.path.join(out_dir, stem + "_pasted.onnx")
    dyn["masks"] = {0: "N", 2: "height", 3: "width"}
    with torch.no_grad():
        torch.onnx.export(wrapper, example, pasted, opset_version=11, input_names=["image"], output_names=OUTPUTS, dynamic_axes=dyn)
    add_metadata(pasted, {**meta, "realtimeseg.contract": "torchvision"})
    labels = os.path.join(out_dir, stem + ".labels.txt")
    with open(labels, "w") as f:
        f.write("\n".join(names) + "\n")
    return raw, pasted, labels
