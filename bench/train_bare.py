#!/usr/bin/python3
"""The baseline of bench/train-throughput.sh: a bare torchvision training loop, as torchvision's detection
tutorial writes one, on the same data and the same model as `realtimeseg train --arch small`: no progress, no
checks, no checkpoints, no validation. Prints one line: "bare ITERATIONS iterations BATCH images SECONDS s".

    /usr/bin/python3 bench/train_bare.py --data RUN/dataset --iterations 40 --batch 4 --size 240 --threads 2

The dataset is RealtimeSeg's normalised layout (what `train` writes into RUN/dataset): PNG pictures and COCO
JSON with uncompressed RLE masks.
"""
import argparse
import json
import os
import random
import sys
import time

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import shapes_model  # noqa: E402  the model `train --arch small` builds


def rle_to_mask(counts, h, w):
    flat = np.zeros(h * w, dtype=np.uint8)
    ends = np.cumsum(counts)
    for start, end in zip(ends[0::2], ends[1::2]):
        flat[start:end] = 1
    return flat.reshape(w, h).T


class CocoMasks(torch.utils.data.Dataset):
    def __init__(self, root):
        with open(os.path.join(root, "annotations", "instances_train.json")) as f:
            coco = json.load(f)
        self.root, self.images = root, coco["images"]
        self.anns = {im["id"]: [] for im in self.images}
        self.classes = len(coco["categories"])
        for a in coco["annotations"]:
            if not a.get("iscrowd", 0):
                self.anns[a["image_id"]].append(a)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        info = self.images[i]
        img = torch.from_numpy(np.array(Image.open(os.path.join(self.root, "images", info["file_name"])).convert("RGB")))
        img = img.permute(2, 0, 1).float() / 255.0
        h, w = img.shape[1:]
        anns = self.anns[info["id"]]
        masks = torch.from_numpy(np.stack([rle_to_mask(a["segmentation"]["counts"], h, w) for a in anns])
                                 if anns else np.zeros((0, h, w), np.uint8))
        boxes = torch.tensor([[a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]]
                              for a in anns], dtype=torch.float32).reshape(-1, 4)
        if random.random() < 0.5:  # the tutorial's RandomHorizontalFlip
            img, masks = img.flip(-1), masks.flip(-1)
            boxes = torch.stack([w - boxes[:, 2], boxes[:, 1], w - boxes[:, 0], boxes[:, 3]], dim=1)
        return img, {"boxes": boxes, "labels": torch.tensor([a["category_id"] for a in anns], dtype=torch.int64), "masks": masks}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--iterations", type=int, default=40)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--size", type=int, default=240)
    p.add_argument("--lr", type=float, default=0.02)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)

    data = CocoMasks(args.data)
    loader = torch.utils.data.DataLoader(data, batch_size=args.batch, shuffle=True, num_workers=0,
                                         collate_fn=lambda b: tuple(zip(*b)))
    model = shapes_model.build(data.classes + 1, "m", min_size=args.size, max_size=args.size * 4 // 3)
    params = [q for q in model.parameters() if q.requires_grad]
    opt = torch.optim.SGD(params, lr=args.lr, momentum=0.9, weight_decay=1e-4)
    model.train()

    done, started = 0, time.perf_counter()
    while done < args.iterations:
        for images, targets in loader:
            losses = model(list(images), list(targets))
            loss = sum(losses.values())
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 10.0)
            opt.step()
            done += 1
            if done == args.iterations:
                break
    seconds = time.perf_counter() - started
    print(f"bare {done} iterations {done * args.batch} images {seconds:.2f} s")


if __name__ == "__main__":
    main()
