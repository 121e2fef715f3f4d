#!/usr/bin/python3
"""Export the small ONNX fixture models and the PyTorch reference outputs the C# tests compare against.

Run with Debian's interpreter (python3-torch 1.13, python3-torchvision 0.14, python3-onnx):

    /usr/bin/python3 tools/make_fixtures.py [--out tests/fixtures] [--iters 1500] [--handmade-only]

What it writes (all small, all committed; the tests never need Python):
  models/tiny_maskrcnn.onnx        torchvision contract: masks pasted to [N,1,H,W]
  models/tiny_maskrcnn_raw.onnx    torchvision-raw contract: masks [N,1,28,28]; labels in model metadata only
  models/tiny_maskrcnn_zoo.onnx    zoo contract: BGR 0-255 minus mean, numeric output names, no metadata
  models/tiny_fasterrcnn.onnx      detection-only: boxes, labels, scores
  models/not_a_detector.onnx       a tiny classifier, for the "not a detector" error path
  models/mismatched_counts.onnx    detector-shaped outputs that disagree in count (2 boxes, 1 mask)
  models/*.labels.txt              class names, index 0 = background
  frames/*.ppm                     the reference input frames (binary PPM, RGB24)
  reference/*.json                 PyTorch eager outputs of each model on each frame

The Mask R-CNN is the torchvision architecture (FPN, RPN, RoIAlign, box and mask heads) on a very
small backbone, trained for a few hundred iterations on a trivial two-class shapes set so that its
outputs mean something: it finds boxes and discs, and a blank frame gives zero detections (the
empty-output path that ONNX exports of Mask R-CNN are known to break on).
"""
import argparse
import json
import math
import os
import sys
import time
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torchvision
from torchvision.models.detection import FasterRCNN, MaskRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
from torchvision.ops import MultiScaleRoIAlign

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from maskrcnn_onnx import RawMasks, add_metadata  # noqa: E402

CLASSES = ["background", "box", "disc"]
FRAME_W, FRAME_H = 160, 128  # multiples of 32 so the zoo contract needs no padding here
ZOO_MEAN_BGR = (102.9801, 115.9465, 122.7717)
SEED = 1234


# ----------------------------------------------------------------------------- data
def render_scene(rng, w=FRAME_W, h=FRAME_H, max_objects=3):
    """Noisy tinted background with 1..max_objects boxes and discs; later objects occlude earlier ones."""
    tint = rng.uniform(60, 160, size=3)
    img = np.clip(tint + rng.normal(0, 12, size=(h, w, 3)), 0, 255)
    owner = np.full((h, w), -1, dtype=np.int64)
    objects = []
    yy, xx = np.mgrid[0:h, 0:w]
    for k in range(rng.integers(1, max_objects + 1)):
        cls = int(rng.integers(1, len(CLASSES)))
        bw, bh = rng.uniform(18, 48, size=2)
        cx, cy = rng.uniform(bw / 2, w - bw / 2), rng.uniform(bh / 2, h - bh / 2)
        if cls == 1:
            m = (np.abs(xx + 0.5 - cx) <= bw / 2) & (np.abs(yy + 0.5 - cy) <= bh / 2)
        else:
            m = ((xx + 0.5 - cx) / (bw / 2)) ** 2 + ((yy + 0.5 - cy) / (bh / 2)) ** 2 <= 1.0
        color = rng.uniform(0, 255, size=3)
        while np.abs(color - tint).sum() < 120:  # keep objects visible against the background
            color = rng.uniform(0, 255, size=3)
        img[m] = color
        owner[m] = len(objects)
        objects.append(cls)
    boxes, labels, masks = [], [], []
    for i, cls in enumerate(objects):
        m = owner == i
        if m.sum() < 30:  # almost fully occluded: not an instance any more
            continue
        ys, xs = np.nonzero(m)
        boxes.append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
        labels.append(cls)
        masks.append(m)
    return img.astype(np.uint8), {
        "boxes": torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
        "labels": torch.tensor(labels, dtype=torch.int64),
        "masks": torch.tensor(np.array(masks, dtype=np.uint8)).reshape(-1, h, w),
    }


def to_tensor(img):
    return torch.from_numpy(img).permute(2, 0, 1).float() / 255.0


# ----------------------------------------------------------------------------- models
class TinyBackbone(nn.Module):
    """Four strided conv stages (strides 2, 4, 8, 16): the smallest body an FPN can sit on."""

    def __init__(self):
        super().__init__()

        def stage(cin, cout):
            return nn.Sequential(nn.Conv2d(cin, cout, 3, 2, 1), nn.ReLU(inplace=True),
                                 nn.Conv2d(cout, cout, 3, 1, 1), nn.ReLU(inplace=True))

        self.stem = stage(3, 16)
        self.layer1 = stage(16, 24)
        self.layer2 = stage(24, 32)
        self.layer3 = stage(32, 48)

    def forward(self, x):
        return self.layer3(self.layer2(self.layer1(self.stem(x))))


def build_backbone():
    return BackboneWithFPN(TinyBackbone(), return_layers={"layer1": "0", "layer2": "1", "layer3": "2"},
                           in_channels_list=[24, 32, 48], out_channels=32)


def common_kwargs():
    return dict(
        min_size=FRAME_H, max_size=FRAME_W,
        rpn_anchor_generator=AnchorGenerator(((16,), (32,), (48,), (64,)), ((0.5, 1.0, 2.0),) * 4),
        rpn_pre_nms_top_n_train=300, rpn_post_nms_top_n_train=100,
        rpn_pre_nms_top_n_test=200, rpn_post_nms_top_n_test=50,
        box_roi_pool=MultiScaleRoIAlign(["0", "1", "2"], 7, 2),
        box_head=TwoMLPHead(32 * 7 * 7, 64),
        box_predictor=FastRCNNPredictor(64, len(CLASSES)),
        box_score_thresh=0.3, box_detections_per_img=20, box_batch_size_per_image=128,
    )


def build_maskrcnn():
    return MaskRCNN(build_backbone(), num_classes=None,
                    mask_roi_pool=MultiScaleRoIAlign(["0", "1", "2"], 14, 2),
                    mask_head=MaskRCNNHeads(32, (32, 32), 1),
                    mask_predictor=MaskRCNNPredictor(32, 32, len(CLASSES)),
                    **common_kwargs())


def build_fasterrcnn_from(maskrcnn):
    """Faster R-CNN sharing the Mask R-CNN's trained backbone, RPN and box head (its mask head dropped)."""
    det = FasterRCNN(build_backbone(), num_classes=None, **common_kwargs())
    state = {k: v for k, v in maskrcnn.state_dict().items() if "mask_" not in k}
    det.load_state_dict(state)
    return det.eval()


class TinyClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, 2, 1)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).mean(dim=(2, 3)))


class ZooStyle(nn.Module):
    """The ONNX Model Zoo input convention (BGR, 0-255, mean subtracted) in front of a torchvision model."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.register_buffer("mean", torch.tensor(ZOO_MEAN_BGR).view(3, 1, 1))

    def forward(self, image):
        rgb01 = (image + self.mean).flip(0) / 255.0
        out = self.model([rgb01])[0]
        return out["boxes"], out["labels"], out["scores"], out["masks"]


# ----------------------------------------------------------------------------- training
def train(model, iters, log):
    rng = np.random.default_rng(SEED)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=0.02, momentum=0.9, weight_decay=1e-4)
    warmup = 100
    model.train()
    t0 = time.time()
    for it in range(iters):
        lr = 0.02 * min(1.0, (it + 1) / warmup) * (0.1 if it > 0.8 * iters else 1.0)
        for g in opt.param_groups:
            g["lr"] = lr
        batch = [render_scene(rng) for _ in range(4)]
        losses = model([to_tensor(im) for im, _ in batch], [t for _, t in batch])
        loss = sum(losses.values())
        if not torch.isfinite(loss):  # NaN guard: skip the step rather than poison the weights
            log(f"iter {it}: non-finite loss, step skipped")
            opt.zero_grad()
            continue
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 10.0)
        opt.step()
        if it % 50 == 0 or it == iters - 1:
            parts = " ".join(f"{k[5:]}={v.item():.3f}" for k, v in losses.items())
            log(f"iter {it:4d} lr={lr:.4f} loss={loss.item():.3f} {parts} ({time.time() - t0:.0f}s)")
    model.eval()


# ----------------------------------------------------------------------------- export
def export(module, example, path, input_name, output_names, dynamic_out):
    dynamic_axes = {input_name: {1: "height", 2: "width"}}
    for name, axes in zip(output_names, dynamic_out):
        dynamic_axes[name] = axes
    torch.onnx.export(module, example, path, opset_version=11, do_constant_folding=True,
                      input_names=[input_name], output_names=output_names, dynamic_axes=dynamic_axes)


def rename_outputs(path, mapping):
    import onnx
    m = onnx.load(path)
    for node in m.graph.node:
        node.output[:] = [mapping.get(o, o) for o in node.output]
        node.input[:] = [mapping.get(i, i) for i in node.input]
    for out in m.graph.output:
        out.name = mapping.get(out.name, out.name)
    onnx.checker.check_model(m)
    onnx.save(m, path)


def write_ppm(path, img):
    h, w, _ = img.shape
    with open(path, "wb") as f:
        f.write(f"P6\n{w} {h}\n255\n".encode())
        f.write(img.tobytes())


def rle(mask):
    """Row-major run lengths of a binary mask, starting with a run of zeros (possibly 0 long)."""
    flat = mask.reshape(-1).astype(np.uint8)
    runs, cur, n = [], 0, 0
    for v in flat:
        if v == cur:
            n += 1
        else:
            runs.append(n)
            cur, n = v, 1
    runs.append(n)
    return runs


def make_mismatched_detector(path):
    """A graph with detector-shaped I/O whose outputs disagree in count: 2 boxes, labels and scores, 1 mask."""
    import onnx
    from onnx import TensorProto, helper
    consts = {
        "boxes": np.array([[10, 10, 40, 40], [50, 20, 90, 60]], dtype=np.float32),
        "labels": np.array([1, 2], dtype=np.int64),
        "scores": np.array([0.9, 0.8], dtype=np.float32),
        "masks": np.full((1, 1, 28, 28), 0.9, dtype=np.float32),
    }
    nodes = [helper.make_node("Constant", [], [k], value=helper.make_tensor(k + "_value",
             TensorProto.INT64 if v.dtype == np.int64 else TensorProto.FLOAT, v.shape, v.flatten().tolist()))
             for k, v in consts.items()]
    outputs = [helper.make_tensor_value_info("boxes", TensorProto.FLOAT, ["N", 4]),
               helper.make_tensor_value_info("labels", TensorProto.INT64, ["N"]),
               helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["N"]),
               helper.make_tensor_value_info("masks", TensorProto.FLOAT, ["M", 1, 28, 28])]
    graph = helper.make_graph(nodes, "mismatched", [helper.make_tensor_value_info("image", TensorProto.FLOAT, [3, "height", "width"])], outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)], producer_name="realtimeseg-tools")
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="tests/fixtures")
    ap.add_argument("--iters", type=int, default=1500)
    ap.add_argument("--handmade-only", action="store_true", help="only rewrite the hand-built graphs (no training)")
    args = ap.parse_args()
    if args.handmade_only:
        make_mismatched_detector(os.path.join(args.out, "models", "mismatched_counts.onnx"))
        return
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    models_dir = os.path.join(args.out, "models")
    frames_dir = os.path.join(args.out, "frames")
    ref_dir = os.path.join(args.out, "reference")
    for d in (models_dir, frames_dir, ref_dir):
        os.makedirs(d, exist_ok=True)
    log_lines = []

    def log(msg):
        print(msg, flush=True)
        log_lines.append(msg)

    model = build_maskrcnn()
    log(f"Mask R-CNN parameters: {sum(p.numel() for p in model.parameters()):,}")
    train(model, args.iters, log)

    # Reference frames: shapes scenes from a seed the training never drew, plus a blank grey frame.
    frames = OrderedDict()
    rng = np.random.default_rng(99)
    for i in range(4):
        frames[f"scene{i}"] = render_scene(rng)[0]
    frames["blank"] = np.full((FRAME_H, FRAME_W, 3), 128, dtype=np.uint8)
    for name, img in frames.items():
        write_ppm(os.path.join(frames_dir, f"{name}.ppm"), img)

    labels_text = "\n".join(CLASSES) + "\n"
    meta = {"realtimeseg.num_classes": str(len(CLASSES)), "realtimeseg.min_size": str(FRAME_H),
            "realtimeseg.max_size": str(FRAME_W)}
    example = (to_tensor(frames["scene0"]),)

    def save_labels(stem):
        with open(os.path.join(models_dir, stem + ".labels.txt"), "w") as f:
            f.write(labels_text)

    # torchvision contract (masks pasted by the model)
    mask_outputs = ["boxes", "labels", "scores", "masks"]
    dyn4 = [{0: "N"}, {0: "N"}, {0: "N"}, {0: "N", 2: "height", 3: "width"}]

    class ListWrap(nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, x):
            out = self.m([x])[0]
            return tuple(out[k] for k in ("boxes", "labels", "scores", "masks") if k in out)

    p = os.path.join(models_dir, "tiny_maskrcnn.onnx")
    export(ListWrap(model).eval(), example, p, "image", mask_outputs, dyn4)
    add_metadata(p, {**meta, "realtimeseg.contract": "torchvision"})
    save_labels("tiny_maskrcnn")

    with RawMasks():
        p = os.path.join(models_dir, "tiny_maskrcnn_raw.onnx")
        export(ListWrap(model).eval(), example, p, "image", mask_outputs, [{0: "N"}] * 4)
        add_metadata(p, {**meta, "realtimeseg.contract": "torchvision-raw",
                         "realtimeseg.labels": json.dumps(CLASSES)})
        zoo = ZooStyle(model).eval()
        zoo_example = (torch.from_numpy(frames["scene0"][:, :, ::-1].copy()).permute(2, 0, 1).float()
                       - zoo.mean,)
        p = os.path.join(models_dir, "tiny_maskrcnn_zoo.onnx")
        export(zoo, zoo_example, p, "image", mask_outputs, [{0: "N"}] * 4)
        # The zoo's own export has bare numeric output names; tracing refuses them, so rename afterwards.
        rename_outputs(p, dict(zip(mask_outputs, ["6568", "6570", "6572", "6887"])))
        save_labels("tiny_maskrcnn_zoo")

    det = build_fasterrcnn_from(model)
    p = os.path.join(models_dir, "tiny_fasterrcnn.onnx")
    export(ListWrap(det).eval(), example, p, "image", ["boxes", "labels", "scores"], [{0: "N"}] * 3)
    add_metadata(p, meta)
    save_labels("tiny_fasterrcnn")

    make_mismatched_detector(os.path.join(models_dir, "mismatched_counts.onnx"))

    clf = TinyClassifier().eval()
    torch.onnx.export(clf, (torch.zeros(1, 3, 32, 32),), os.path.join(models_dir, "not_a_detector.onnx"),
                      opset_version=11, input_names=["input"], output_names=["logits"])

    # PyTorch eager references, one file per frame, holding every model's outputs.
    model.eval()
    det.eval()
    with torch.no_grad():
        for name, img in frames.items():
            x = to_tensor(img)
            full = model([x])[0]
            with RawMasks():
                raw = model([x])[0]
            dets = det([x])[0]
            ref = {
                "frame": f"{name}.ppm", "width": FRAME_W, "height": FRAME_H,
                "maskrcnn": {
                    "boxes": full["boxes"].tolist(), "labels": full["labels"].tolist(),
                    "scores": full["scores"].tolist(),
                    "masks_rle": [rle(m[0].numpy() > 0.5) for m in full["masks"]],
                    "raw_masks": [np.round(m[0].numpy(), 5).reshape(-1).tolist() for m in raw["masks"]],
                },
                "fasterrcnn": {"boxes": dets["boxes"].tolist(), "labels": dets["labels"].tolist(),
                               "scores": dets["scores"].tolist()},
            }
            with open(os.path.join(ref_dir, f"{name}.json"), "w") as f:
                json.dump(ref, f)
            log(f"reference {name}: {len(full['boxes'])} instances "
                f"{[CLASSES[c] for c in full['labels'].tolist()]} scores {np.round(full['scores'].numpy(), 3).tolist()}")

    with open(os.path.join(args.out, "fixtures.log"), "w") as f:
        f.write("\n".join(log_lines) + "\n")


if __name__ == "__main__":
    main()
