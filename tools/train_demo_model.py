#!/usr/bin/python3
"""Train the shipped demo Mask R-CNN on the synthetic shapes dataset and export it to ONNX.

    ./realtimeseg synth-dataset --out data/shapes --train 4000 --val 300 --size 320x240 --seed 1
    /usr/bin/python3 tools/train_demo_model.py --data data/shapes            # ~55 min on 2 cores; resumable

Debian's python3-torch 1.13 / python3-torchvision 0.14 / python3-onnx / python3-pil, CPU, 2 threads.
Writes (to --out, default models/):
  shapes_maskrcnn.onnx          torchvision-raw contract: 28x28 masks pasted by RealtimeSeg (the demo's model)
  shapes_maskrcnn_pasted.onnx   torchvision contract: masks pasted by the model
  shapes_maskrcnn.labels.txt    class names (also in both models' metadata)
  training/loss.csv, training/loss.png, training/summary.md
The checkpoint (--checkpoint) is saved every 100 iterations; re-running the same command resumes from it.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
from PIL import Image, ImageDraw

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shapes_model  # noqa: E402
from make_fixtures import RawMasks, add_metadata  # noqa: E402


# ----------------------------------------------------------------------------- data
def rle_decode(counts, h, w):
    """COCO uncompressed RLE: column-major runs starting with background."""
    flat = np.zeros(h * w, dtype=np.uint8)
    pos, val = 0, 0
    for run in counts:
        if val:
            flat[pos:pos + run] = 1
        pos += run
        val ^= 1
    return flat.reshape(w, h).T


class CocoShapes:
    def __init__(self, root, split):
        with open(os.path.join(root, "annotations", f"instances_{split}.json")) as f:
            coco = json.load(f)
        self.root = root
        self.categories = {c["id"]: c["name"] for c in coco["categories"]}
        self.images = coco["images"]
        self.anns = {im["id"]: [] for im in self.images}
        for a in coco["annotations"]:
            if not a["iscrowd"]:
                self.anns[a["image_id"]].append(a)

    def __len__(self):
        return len(self.images)

    def load(self, index, flip=False):
        info = self.images[index]
        img = np.asarray(Image.open(os.path.join(self.root, "images", info["file_name"])).convert("RGB"))
        h, w = img.shape[:2]
        anns = self.anns[info["id"]]
        masks = np.stack([rle_decode(a["segmentation"]["counts"], h, w) for a in anns]) if anns else np.zeros((0, h, w), np.uint8)
        boxes = np.array([[a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]] for a in anns],
                         dtype=np.float32).reshape(-1, 4)
        if flip:
            img = img[:, ::-1]
            masks = masks[:, :, ::-1]
            boxes = np.stack([w - boxes[:, 2], boxes[:, 1], w - boxes[:, 0], boxes[:, 3]], axis=1) if len(boxes) else boxes
        x = torch.from_numpy(np.ascontiguousarray(img)).permute(2, 0, 1).float() / 255.0
        target = {"boxes": torch.from_numpy(np.ascontiguousarray(boxes)),
                  "labels": torch.tensor([a["category_id"] for a in anns], dtype=torch.int64),
                  "masks": torch.from_numpy(np.ascontiguousarray(masks))}
        return x, target


# ----------------------------------------------------------------------------- training
def lr_at(it, base, iters, warmup):
    if it < warmup:  # linear warm-up from 1% : a cold start at full LR is the classic cause of NaN losses
        return base * (0.01 + 0.99 * it / warmup)
    return base * (0.1 if it >= 0.75 * iters else 1.0) * (0.1 if it >= 0.92 * iters else 1.0)


def save_atomic(obj, path):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def train(args, model, data, log_rows):
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=args.lr, momentum=0.9, weight_decay=1e-4)
    start, earlier = 0, 0.0
    if os.path.exists(args.checkpoint):
        ckpt = torch.load(args.checkpoint)
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["opt"])
        start = ckpt["iter"]
        log_rows.extend(ckpt["log"])
        earlier = ckpt.get("seconds", 0.0)
        print(f"resumed from {args.checkpoint} at iteration {start}", flush=True)
    rng = np.random.default_rng(args.seed + start)
    model.train()
    t0 = time.time()
    bad_steps = 0
    for it in range(start, args.iters):
        lr = lr_at(it, args.lr, args.iters, args.warmup)
        for g in opt.param_groups:
            g["lr"] = lr
        batch = [data.load(int(i), flip=bool(rng.integers(2))) for i in rng.integers(0, len(data), args.batch)]
        losses = model([b[0] for b in batch], [b[1] for b in batch])
        loss = sum(losses.values())
        if not torch.isfinite(loss):
            # NaN guard: skip the step; if it keeps happening, halve the LR for the rest of the run.
            bad_steps += 1
            print(f"iter {it}: non-finite loss ({ {k: v.item() for k, v in losses.items()} }), step skipped", flush=True)
            if bad_steps >= 3:
                args.lr *= 0.5
                bad_steps = 0
                print(f"iter {it}: three non-finite losses, base LR halved to {args.lr}", flush=True)
            opt.zero_grad()
            continue
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 10.0)
        opt.step()
        row = {"iter": it, "lr": lr, "loss": loss.item(), **{k: v.item() for k, v in losses.items()}}
        log_rows.append(row)
        if it % 20 == 0 or it == args.iters - 1:
            done = it + 1 - start
            eta = (time.time() - t0) / done * (args.iters - it - 1)
            parts = " ".join(f"{k[5:]}={v:.3f}" for k, v in row.items() if k.startswith("loss_"))
            print(f"iter {it:5d}/{args.iters} lr={lr:.4f} loss={row['loss']:.3f} {parts} eta {eta / 60:.1f} min", flush=True)
        if (it + 1) % 100 == 0 or it == args.iters - 1:
            save_atomic({"model": model.state_dict(), "opt": opt.state_dict(), "iter": it + 1, "log": log_rows,
                         "seconds": earlier + time.time() - t0}, args.checkpoint)
    model.eval()
    return earlier + time.time() - t0


# ----------------------------------------------------------------------------- outputs
def smooth(values, k=25):
    out, acc = [], []
    for v in values:
        acc.append(v)
        acc = acc[-k:]
        out.append(sum(acc) / len(acc))
    return out


def plot_losses(rows, path):
    """A loss-curve PNG drawn with PIL (no plotting library needed)."""
    keys = ["loss", "loss_classifier", "loss_box_reg", "loss_mask", "loss_objectness", "loss_rpn_box_reg"]
    colours = [(0, 0, 0), (220, 50, 47), (38, 139, 210), (133, 153, 0), (211, 54, 130), (181, 137, 0)]
    W, H, m = 900, 500, 60
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    its = [r["iter"] for r in rows]
    top = max(max(smooth([r["loss"] for r in rows])) * 1.05, 1e-3)
    d.rectangle([m, m // 2, W - m // 2, H - m], outline=(0, 0, 0))
    for frac in (0, 0.25, 0.5, 0.75, 1.0):
        y = H - m - frac * (H - 1.5 * m)
        d.text((5, y - 6), f"{frac * top:.2f}", fill=(0, 0, 0))
    d.text((W // 2 - 40, H - m + 20), f"iteration (0..{its[-1]})", fill=(0, 0, 0))
    for key, col in zip(keys, colours):
        ys = smooth([r[key] for r in rows])
        pts = [(m + (i / max(its[-1], 1)) * (W - 1.5 * m), H - m - min(y / top, 1) * (H - 1.5 * m)) for i, y in zip(its, ys)]
        d.line(pts, fill=col, width=2)
        d.text((W - 200, m // 2 + 15 * keys.index(key) + 5), key, fill=col)
    img.save(path)


def export(model, out_dir, size, max_size, names):
    example = (torch.rand(3, size, max_size),)
    meta = {"realtimeseg.num_classes": str(len(names)), "realtimeseg.min_size": str(size),
            "realtimeseg.max_size": str(max_size), "realtimeseg.labels": json.dumps(names)}
    dyn = {"image": {1: "height", 2: "width"}, "boxes": {0: "N"}, "labels": {0: "N"}, "scores": {0: "N"}, "masks": {0: "N"}}
    outputs = ["boxes", "labels", "scores", "masks"]
    wrapper = shapes_model.ExportWrapper(model).eval()
    raw = os.path.join(out_dir, "shapes_maskrcnn.onnx")
    with RawMasks():
        torch.onnx.export(wrapper, example, raw, opset_version=11, input_names=["image"], output_names=outputs, dynamic_axes=dyn)
    add_metadata(raw, {**meta, "realtimeseg.contract": "torchvision-raw"})
    pasted = os.path.join(out_dir, "shapes_maskrcnn_pasted.onnx")
    dyn["masks"] = {0: "N", 2: "height", 3: "width"}
    torch.onnx.export(wrapper, example, pasted, opset_version=11, input_names=["image"], output_names=outputs, dynamic_axes=dyn)
    add_metadata(pasted, {**meta, "realtimeseg.contract": "torchvision"})
    with open(os.path.join(out_dir, "shapes_maskrcnn.labels.txt"), "w") as f:
        f.write("\n".join(names) + "\n")
    return raw, pasted


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="dataset written by realtimeseg synth-dataset")
    ap.add_argument("--out", default="models")
    ap.add_argument("--checkpoint", default=None, help="default: DATA/demo_model.ckpt")
    ap.add_argument("--iters", type=int, default=2600)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--lr", type=float, default=0.02)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--variant", default="m", choices=sorted(shapes_model.VARIANTS))
    ap.add_argument("--size", type=int, default=240, help="model input short side (the long side is 4/3 of it)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--export-only", action="store_true", help="export the checkpoint without training further")
    ap.add_argument("--score-thresh", type=float, default=0.05,
                    help="lowest score the exported model returns (torchvision's default; the runtime filters for display)")
    args = ap.parse_args()
    args.checkpoint = args.checkpoint or os.path.join(args.data, "demo_model.ckpt")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    data = CocoShapes(args.data, "train")
    names = ["background"] + [data.categories[i] for i in sorted(data.categories)]
    model = shapes_model.build(len(names), args.variant, min_size=args.size, max_size=args.size * 4 // 3,
                               score_thresh=args.score_thresh)
    print(f"Mask R-CNN '{args.variant}': {sum(p.numel() for p in model.parameters()):,} parameters; "
          f"{len(data)} training images; {args.iters} iterations of {args.batch}", flush=True)
    rows = []
    if args.export_only:
        ckpt = torch.load(args.checkpoint)
        model.load_state_dict(ckpt["model"])
        rows = ckpt["log"]
        seconds = ckpt.get("seconds", float("nan"))
        model.eval()
    else:
        seconds = train(args, model, data, rows)

    os.makedirs(os.path.join(args.out, "training"), exist_ok=True)
    raw, pasted = export(model, args.out, args.size, args.size * 4 // 3, names)
    with open(os.path.join(args.out, "training", "loss.csv"), "w") as f:
        keys = list(rows[0].keys())
        f.write(",".join(keys) + "\n")
        for r in rows:
            f.write(",".join(f"{r[k]:.6g}" for k in keys) + "\n")
    plot_losses(rows, os.path.join(args.out, "training", "loss.png"))
    last = rows[-100:]
    with open(os.path.join(args.out, "training", "summary.md"), "w") as f:
        f.write(f"# Training summary\n\n")
        f.write(f"- command: `/usr/bin/python3 tools/train_demo_model.py --data {args.data} --iters {args.iters} --batch {args.batch} --lr {args.lr} --variant {args.variant} --size {args.size}`\n")
        f.write(f"- model: torchvision MaskRCNN, backbone variant '{args.variant}' ({sum(p.numel() for p in model.parameters()):,} parameters), input {args.size * 4 // 3}x{args.size}\n")
        f.write(f"- data: {len(data)} training images from `{args.data}`\n")
        f.write(f"- iterations: {len(rows)} logged of {args.iters}, batch {args.batch}, SGD momentum 0.9, base LR {args.lr}, warm-up {args.warmup}, steps x0.1 at 75% and 92%\n")
        if not math.isnan(seconds):
            f.write(f"- training wall time: {seconds / 60:.1f} min on {args.threads} threads (all runs, resumes included)\n")
        f.write(f"- mean of the last 100 iterations: " + ", ".join(f"{k} {np.mean([r[k] for r in last]):.4f}" for k in last[0] if k.startswith("loss")) + "\n")
    print(f"exported {raw} and {pasted}", flush=True)


if __name__ == "__main__":
    main()
