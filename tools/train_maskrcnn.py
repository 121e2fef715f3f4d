#!/usr/bin/python3
"""The trainer behind `realtimeseg train` (run that: it checks and converts the dataset, draws the progress,
scores each validation with the same code as `realtimeseg evaluate`, and exports at the end).

    /usr/bin/python3 tools/train_maskrcnn.py train  --data DIR/dataset --out DIR [options]
    /usr/bin/python3 tools/train_maskrcnn.py export --checkpoint DIR/checkpoints/best.pt --out DIR --stem model

`--data` is a dataset in RealtimeSeg's normalised layout (what `realtimeseg train` writes into DIR/dataset and
what `realtimeseg synth-dataset` writes): images/{train,val}/*.png (RGB) and annotations/instances_{train,val}.json
with uncompressed RLE masks and category ids 1..K. Events go to stdout as one JSON object per line (the CLI reads
them); a problem the user can fix is an {"event": "error"} line and exit status 2.

Debian's python3-torch 1.13 / python3-torchvision 0.14 (for /usr/bin/python3); CPU or CUDA.
"""
import argparse
import json
import math
import os
import signal
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torchvision
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import maskrcnn_onnx  # noqa: E402
import shapes_model  # noqa: E402

CHECKPOINT_FORMAT = "realtimeseg-maskrcnn"
# The class-count-dependent layers of a torchvision Mask R-CNN: replaced when --weights has another class count.
HEAD_PREFIXES = ("roi_heads.box_predictor.cls_score", "roi_heads.box_predictor.bbox_pred",
                 "roi_heads.mask_predictor.mask_fcn_logits")
# Options that define a run: resuming with any of them changed would silently train something else. The learning
# rate and warm-up may change on a resume: lowering them is the fix for a loss that turned non-finite.
RUN_OPTIONS = ("arch", "size", "max_size", "batch", "iterations", "epochs", "seed", "weights")


class UserError(Exception):
    """A problem the user can fix; its message is one line naming the fix."""


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


# ----------------------------------------------------------------------------- data
def rle_decode(counts, h, w):
    """COCO uncompressed RLE: column-major runs starting with background."""
    flat = np.zeros(h * w, dtype=np.uint8)
    ends = np.cumsum(counts)
    for start, end in zip(ends[0::2], ends[1::2]):
        flat[start:end] = 1
    return flat.reshape(w, h).T


def rle_encode(mask):
    """The inverse of rle_decode, vectorised: run lengths of the column-major flattening, background first."""
    flat = np.asarray(mask, dtype=np.uint8).T.reshape(-1)
    change = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate(([0], change, [flat.size]))
    runs = np.diff(bounds).tolist()
    if flat.size and flat[0]:
        runs.insert(0, 0)
    return runs


class Split:
    """One split of the normalised dataset; images with no objects stay in (negatives)."""

    def __init__(self, root, split):
        path = os.path.join(root, "annotations", f"instances_{split}.json")
        with open(path) as f:
            coco = json.load(f)
        self.root = root
        self.categories = {c["id"]: c["name"] for c in coco["categories"]}
        self.images = coco["images"]
        self.anns = {im["id"]: [] for im in self.images}
        for a in coco["annotations"]:
            if not a.get("iscrowd", 0):
                self.anns[a["image_id"]].append(a)

    def __len__(self):
        return len(self.images)

    def image(self, index):
        info = self.images[index]
        img = np.array(Image.open(os.path.join(self.root, "images", info["file_name"])).convert("RGB"))
        return info, torch.from_numpy(np.ascontiguousarray(img)).permute(2, 0, 1).float() / 255.0

    def load(self, index, flip=False):
        info, x = self.image(index)
        h, w = x.shape[1:]
        anns = self.anns[info["id"]]
        masks = np.stack([rle_decode(a["segmentation"]["counts"], h, w) for a in anns]) if anns else np.zeros((0, h, w), np.uint8)
        boxes = np.array([[a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]] for a in anns],
                         dtype=np.float32).reshape(-1, 4)
        if flip:
            x = x.flip(-1)
            masks = masks[:, :, ::-1]
            boxes = np.stack([w - boxes[:, 2], boxes[:, 1], w - boxes[:, 0], boxes[:, 3]], axis=1) if len(boxes) else boxes
        target = {"boxes": torch.from_numpy(np.ascontiguousarray(boxes)),
                  "labels": torch.tensor([a["category_id"] for a in anns], dtype=torch.int64),
                  "masks": torch.from_numpy(np.ascontiguousarray(masks))}
        return x, target


# ----------------------------------------------------------------------------- model
def default_max_size(arch, size):
    return size * 4 // 3 if arch == "small" else size * 5 // 3


def build_model(arch, num_classes, size, max_size, finetune):
    if arch == "small":
        return shapes_model.build(num_classes, "m", min_size=size, max_size=max_size)
    # torchvision's maskrcnn_resnet50_fpn, built here so that fine-tuning gets what torchvision gives pretrained
    # weights (frozen batch norm, the first two stages frozen) and training from scratch trains all of it.
    from torchvision.models.detection import MaskRCNN
    from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
    from torchvision.ops import misc
    resnet = torchvision.models.resnet50(weights=None, norm_layer=misc.FrozenBatchNorm2d if finetune else nn.BatchNorm2d)
    return MaskRCNN(_resnet_fpn_extractor(resnet, 3 if finetune else 5), num_classes=num_classes,
                    min_size=size, max_size=max_size)


def read_state(path):
    """A state dict from our checkpoint, torchvision's reference-script checkpoint or a bare torchvision .pth."""
    try:
        ckpt = torch.load(path, map_location="cpu")
    except Exception as e:  # noqa: BLE001 - any unreadable file is the same user problem
        raise UserError(f"--weights {path} is not a PyTorch checkpoint ({type(e).__name__}); give a .pth state dict or a checkpoint of realtimeseg train")
    if isinstance(ckpt, dict) and ckpt.get("format") == CHECKPOINT_FORMAT:
        return ckpt["model"], ckpt
    if isinstance(ckpt, dict) and isinstance(ckpt.get("model"), dict):
        return ckpt["model"], None
    if isinstance(ckpt, dict) and ckpt and all(torch.is_tensor(v) for v in ckpt.values()):
        return ckpt, None
    raise UserError(f"--weights {path} holds no state dict; give a torchvision .pth or a checkpoint of realtimeseg train")


def load_weights(model, path, arch):
    """Loads what fits; replaces the class-count heads when they do not, and says so in one line."""
    state, ours = read_state(path)
    if ours is not None and ours["arch"] != arch:
        raise UserError(f"--weights {path} is a '{ours['arch']}' model; train it with --arch {ours['arch']}, or give '{arch}' weights")
    own = model.state_dict()
    matched, replaced, missing = {}, set(), []
    for key, value in own.items():
        if key in state and state[key].shape == value.shape:
            matched[key] = state[key]
        elif key in state and key.startswith(HEAD_PREFIXES):
            replaced.add(key.rsplit(".", 1)[0])
        elif not key.endswith("num_batches_tracked"):
            missing.append(key)
    if missing:
        raise UserError(f"--weights {path} does not fit --arch {arch} ({len(missing)} of {len(own)} layers missing or of another "
                        f"shape, e.g. {missing[0]}); give weights of that architecture or another --arch")
    model.load_state_dict(matched, strict=False)
    if replaced:
        theirs = state["roi_heads.box_predictor.cls_score.weight"].shape[0]
        mine = own["roi_heads.box_predictor.cls_score.weight"].shape[0]
        emit("heads", replaced=sorted(replaced), weightsClasses=theirs, classes=mine,
             message=f"--weights has {theirs} classes, this dataset {mine} (background included): replaced "
                     f"{', '.join(sorted(replaced))} with new layers")


def detect_arch(path):
    """--arch auto: the architecture --weights was trained as (ours say so; torchvision's are told by their layers)."""
    state, ours = read_state(path)
    if ours is not None:
        return ours["arch"]
    if any(k.startswith("backbone.body.stem.") for k in state):
        return "small"
    if "backbone.body.layer4.2.conv3.weight" in state:
        return "r50-fpn"
    raise UserError(f"--weights {path} is neither a torchvision maskrcnn_resnet50_fpn nor a small model of ours; "
                    f"give --arch small or --arch r50-fpn if it is one of them")


def resolve_defaults(args):
    """The defaults the CLI documents; each depends on the architecture, so they are settled here, once."""
    if args.arch == "auto":
        args.arch = detect_arch(args.weights) if args.weights else "small"
    small = args.arch == "small"
    args.size = args.size or (240 if small else 800)
    args.batch = args.batch or (4 if small else 2)
    args.lr = args.lr or (0.005 if small else 0.0025) * args.batch
    if not args.iterations and not args.epochs:
        args.epochs = 12
    if args.device == "auto":
        args.device = "cuda" if torch.cuda.is_available() else "cpu"


# ----------------------------------------------------------------------------- schedule
def lr_at(it, base, total, warmup):
    # Linear warm-up from 1%: a cold start at full rate is the classic cause of NaN losses. Then x0.1 at 75% and 92%.
    if it < warmup:
        return base * (0.01 + 0.99 * it / warmup)
    return base * (0.1 if it >= 0.75 * total else 1.0) * (0.1 if it >= 0.92 * total else 1.0)


class Order:
    """Which images each iteration takes: a seeded permutation per epoch, so a resumed run takes the same ones."""

    def __init__(self, n, batch, seed):
        self.n, self.batch, self.seed = n, batch, seed
        self.per_epoch = math.ceil(n / batch)
        self._epoch, self._perm = -1, None

    def batch_at(self, it):
        epoch, pos = divmod(it, self.per_epoch)
        if epoch != self._epoch:
            self._epoch, self._perm = epoch, np.random.default_rng([self.seed, epoch]).permutation(self.n)
        idx = self._perm[pos * self.batch:(pos + 1) * self.batch]
        flips = np.random.default_rng([self.seed, epoch, pos, 1]).integers(0, 2, len(idx))
        return epoch, [(int(i), bool(f)) for i, f in zip(idx, flips)]


# ----------------------------------------------------------------------------- checkpoints
def save_atomic(obj, path):
    tmp = path + ".partial"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def checkpoint(model, names, args, it, opt=None, seconds=0.0):
    ckpt = {"format": CHECKPOINT_FORMAT, "version": 1, "arch": args.arch, "classes": names, "size": args.size,
            "max_size": args.max_size, "iteration": it, "model": model.state_dict(),
            "options": {k: getattr(args, k) for k in RUN_OPTIONS}, "lr": args.lr, "warmup": args.warmup,
            "train_seconds": seconds}
    if opt is not None:
        ckpt["optimizer"] = opt.state_dict()
    return ckpt


def describe(options):
    return " ".join(f"--{k.replace('_', '-')} {v}" for k, v in options.items() if v is not None)


class StopRequest:
    """Ctrl+C sets a flag; the loop stops at the next iteration boundary, so the checkpoint is of a whole step."""

    def __init__(self):
        self.requested = False
        signal.signal(signal.SIGINT, self._set)
        signal.signal(signal.SIGTERM, self._set)

    def _set(self, *_):
        self.requested = True


# ----------------------------------------------------------------------------- validation
def write_detections(model, val, path, stop):
    """PyTorch's detections on the val split, masks pasted and thresholded at 0.5 as the runtime does, for the CLI to score."""
    model.eval()
    tmp = path + ".partial"
    with torch.no_grad(), open(tmp, "w") as f:
        for i in range(len(val)):
            if stop.requested:
                break
            info, x = val.image(i)
            out = model([x.to(next(model.parameters()).device)])[0]
            masks = (out["masks"][:, 0] > 0.5).cpu().numpy()
            for k in range(len(out["scores"])):
                f.write(json.dumps({"image_id": info["id"], "category_id": int(out["labels"][k]),
                                    "score": float(out["scores"][k]), "box": [float(v) for v in out["boxes"][k]],
                                    "counts": rle_encode(masks[k])}) + "\n")
    model.train()
    if stop.requested:
        os.remove(tmp)
        return False
    os.replace(tmp, path)
    return True


# ----------------------------------------------------------------------------- train
def train(args):
    torch.set_num_threads(args.threads)
    resolve_defaults(args)
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UserError("--device cuda: PyTorch sees no CUDA device here; use --device cpu")
    data = Split(args.data, "train")
    val = Split(args.data, "val") if os.path.exists(os.path.join(args.data, "annotations", "instances_val.json")) else None
    names = ["background"] + [data.categories[i] for i in sorted(data.categories)]
    args.max_size = args.max_size or default_max_size(args.arch, args.size)
    order = Order(len(data), args.batch, args.seed)
    total = args.iterations if args.iterations else args.epochs * order.per_epoch
    if args.warmup is None:
        args.warmup = min(200, total // 5)
    eval_every = args.eval_every or order.per_epoch

    ckpt_dir = os.path.join(args.out, "checkpoints")
    os.makedirs(ckpt_dir, exist_ok=True)
    last_path = os.path.join(ckpt_dir, "last.pt")
    model = build_model(args.arch, len(names), args.size, args.max_size, finetune=bool(args.weights))
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=args.lr, momentum=0.9, weight_decay=1e-4)
    start, seconds = 0, 0.0
    if os.path.exists(last_path):
        ckpt = torch.load(last_path, map_location="cpu")
        options = {k: getattr(args, k) for k in RUN_OPTIONS}
        if ckpt["options"] != options or ckpt["classes"] != names:
            diff = {k: v for k, v in ckpt["options"].items() if options.get(k) != v}
            raise UserError(f"{args.out} holds another run ({describe(diff) or 'other classes'}); repeat that run's options to "
                            f"resume it, or give a new --out")
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        start, seconds = ckpt["iteration"], ckpt.get("train_seconds", 0.0)
        if (ckpt.get("lr"), ckpt.get("warmup")) != (args.lr, args.warmup):
            emit("notice", message=f"resuming at iteration {start} with --lr {args.lr} --warmup {args.warmup} "
                                   f"(the run had --lr {ckpt.get('lr')} --warmup {ckpt.get('warmup')})")
    elif args.weights:
        load_weights(model, args.weights, args.arch)
    model.to(device).train()
    emit("start", iteration=start, iterations=total, epochIterations=order.per_epoch, evalEvery=eval_every,
         trainImages=len(data), valImages=len(val) if val else 0, classes=names, resumed=start > 0,
         parameters=sum(p.numel() for p in model.parameters()), arch=args.arch, size=args.size, maxSize=args.max_size,
         batch=args.batch, lr=args.lr, warmup=args.warmup, device=str(device))

    stop = StopRequest()
    last_good = start if os.path.exists(last_path) else None

    def save_last(it):
        nonlocal last_good
        save_atomic(checkpoint(model, names, args, it, opt, seconds), last_path)
        last_good = it

    # Wall time of this run's loop minus validation: what a user waits for per image, everything included (data,
    # step, progress events, checkpoints). The per-step sum (train_seconds) leaves out the overhead around steps.
    loop_started, validating = time.perf_counter(), 0.0
    it = start
    for it in range(start, total):
        if stop.requested:
            save_last(it)
            emit("interrupted", iteration=it, checkpoint=last_path)
            return 130
        lr = lr_at(it, args.lr, total, args.warmup)
        for g in opt.param_groups:
            g["lr"] = lr
        epoch, picks = order.batch_at(it)
        torch.manual_seed(args.seed * 1_000_003 + it)  # RPN and RoI sampling: the same on a resumed run
        t0 = time.perf_counter()
        try:
            batch = [data.load(i, flip) for i, flip in picks]
            images = [b[0].to(device) for b in batch]
            targets = [{k: v.to(device) for k, v in b[1].items()} for b in batch]
            losses = model(images, targets)
            loss = sum(losses.values())
            parts = {k: float(v) for k, v in losses.items()}
            if not math.isfinite(float(loss)):
                raise_non_finite(args, it, parts, last_good, last_path)
            opt.zero_grad()
            loss.backward()
            norm = float(torch.nn.utils.clip_grad_norm_(params, 10.0))
            if not math.isfinite(norm):
                raise_non_finite(args, it, {"gradient norm": norm}, last_good, last_path)
            opt.step()
        except RuntimeError as e:
            if "out of memory" in str(e) or "can't allocate memory" in str(e):
                raise UserError(f"out of memory at iteration {it} (--batch {args.batch}, --size {args.size}); lower --batch "
                                f"first (to {max(1, args.batch // 2)}), then --size; {kept(last_good, last_path)}")
            raise
        dt = time.perf_counter() - t0
        seconds += dt
        emit("iter", iteration=it + 1, epoch=epoch + 1, lr=lr, loss=float(loss), parts=parts,
             imagesPerSecond=len(picks) / dt, seconds=dt)
        done = it + 1
        evaluate_now = val is not None and len(val) > 0 and (done % eval_every == 0 or done == total)
        if done % args.checkpoint_every == 0 or done == total or evaluate_now:
            save_last(done)
        if evaluate_now:
            t1 = time.perf_counter()
            stem = os.path.join(ckpt_dir, f"eval-{done:06d}")
            save_atomic(checkpoint(model, names, args, done), stem + ".pt")
            if write_detections(model, val, stem + ".jsonl", stop):
                emit("eval", iteration=done, checkpoint=stem + ".pt", detections=stem + ".jsonl",
                     seconds=time.perf_counter() - t1)
            else:
                os.remove(stem + ".pt")
            validating += time.perf_counter() - t1
    if val is None or len(val) == 0:
        save_atomic(checkpoint(model, names, args, total), os.path.join(ckpt_dir, "best.pt"))
    emit("done", iteration=total, trainSeconds=seconds, checkpoint=last_path,
         loopIterations=total - start, loopSeconds=time.perf_counter() - loop_started - validating)
    return 0


def kept(last_good, path):
    if last_good is None:
        return "no checkpoint was saved yet"
    return f"the last good checkpoint (iteration {last_good}) is kept in {path}"


def raise_non_finite(args, it, parts, last_good, last_path):
    bad = ", ".join(f"{k}={v}" for k, v in parts.items() if not math.isfinite(v))
    again = "it resumes from that checkpoint" if last_good is not None else "it starts again"
    raise UserError(f"the loss became non-finite at iteration {it + 1} ({bad}); {kept(last_good, last_path)}; lower --lr "
                    f"(now {args.lr:g}, try {args.lr / 10:g}) or lengthen --warmup (now {args.warmup}) and run the command "
                    f"again: {again}")


# ----------------------------------------------------------------------------- export
def export(args):
    torch.set_num_threads(args.threads)
    ckpt = torch.load(args.checkpoint, map_location="cpu")
    model = build_model(ckpt["arch"], len(ckpt["classes"]), ckpt["size"], ckpt["max_size"],
                        finetune=bool(ckpt["options"].get("weights")))
    model.load_state_dict(ckpt["model"])
    raw, pasted, labels = maskrcnn_onnx.export(model, args.out, args.stem, ckpt["classes"], ckpt["size"], ckpt["max_size"],
                                               {"realtimeseg.trained_iterations": str(ckpt["iteration"]),
                                                "realtimeseg.arch": ckpt["arch"]})
    emit("exported", raw=raw, pasted=pasted, labels=labels, iteration=ckpt["iteration"])
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("--data", required=True)
    t.add_argument("--out", required=True)
    t.add_argument("--arch", choices=["auto", "small", "r50-fpn"], default="auto")
    t.add_argument("--weights")
    t.add_argument("--iterations", type=int)
    t.add_argument("--epochs", type=int)
    t.add_argument("--size", type=int)
    t.add_argument("--max-size", type=int)
    t.add_argument("--batch", type=int)
    t.add_argument("--lr", type=float)
    t.add_argument("--warmup", type=int)
    t.add_argument("--eval-every", type=int)
    t.add_argument("--checkpoint-every", type=int, default=100)
    t.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    t.add_argument("--threads", type=int, default=os.cpu_count())
    t.add_argument("--seed", type=int, default=1)
    e = sub.add_parser("export")
    e.add_argument("--checkpoint", required=True)
    e.add_argument("--out", required=True)
    e.add_argument("--stem", default="model")
    e.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    if args.command == "train" and args.iterations:
        args.epochs = None
    try:
        return train(args) if args.command == "train" else export(args)
    except UserError as err:
        emit("error", message=str(err))
        return 2


if __name__ == "__main__":
    sys.exit(main())
