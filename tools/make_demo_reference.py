#!/usr/bin/python3
"""PyTorch reference outputs of the shipped demo model, for the C# runtime to reproduce.

    ./realtimeseg synth-dataset --out tests/fixtures/demo --train 0 --val 4 --size 320x240 --seed 2026
    /usr/bin/python3 tools/make_demo_reference.py --checkpoint data/shapes/demo_model.ckpt

Reads tests/fixtures/demo/images/val/*.png, runs the trained model (eager torchvision, not ONNX) and writes
tests/fixtures/demo/reference/NNNNNN.json in the same format as tools/make_fixtures.py's references.
"""
import argparse
import glob
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shapes_model  # noqa: E402
from make_fixtures import rle  # noqa: E402
from maskrcnn_onnx import RawMasks  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--frames", default="tests/fixtures/demo/images/val")
    ap.add_argument("--out", default="tests/fixtures/demo/reference")
    ap.add_argument("--variant", default="m")
    ap.add_argument("--size", type=int, default=240)
    args = ap.parse_args()
    torch.set_num_threads(2)
    model = shapes_model.build(6, args.variant, min_size=args.size, max_size=args.size * 4 // 3)
    model.load_state_dict(torch.load(args.checkpoint)["model"])
    model.eval()
    os.makedirs(args.out, exist_ok=True)
    with torch.no_grad():
        for path in sorted(glob.glob(os.path.join(args.frames, "*.png"))):
            img = np.asarray(Image.open(path).convert("RGB"))
            x = torch.from_numpy(img.copy()).permute(2, 0, 1).float() / 255.0
            full = model([x])[0]
            with RawMasks():
                raw = model([x])[0]
            name = os.path.splitext(os.path.basename(path))[0]
            ref = {"frame": os.path.basename(path), "width": img.shape[1], "height": img.shape[0],
                   "maskrcnn": {"boxes": full["boxes"].tolist(), "labels": full["labels"].tolist(),
                                "scores": full["scores"].tolist(),
                                "masks_rle": [rle(m[0].numpy() > 0.5) for m in full["masks"]],
                                "raw_masks": [np.round(m[0].numpy(), 5).reshape(-1).tolist() for m in raw["masks"]]}}
            with open(os.path.join(args.out, name + ".json"), "w") as f:
                json.dump(ref, f)
            print(f"{name}: {len(full['boxes'])} instances, scores {np.round(full['scores'].numpy(), 3).tolist()}")


if __name__ == "__main__":
    main()
