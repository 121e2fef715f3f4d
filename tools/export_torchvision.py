#!/usr/bin/python3
"""Export a torchvision Mask R-CNN (COCO, ResNet-50 FPN) to ONNX for RealtimeSeg.

    /usr/bin/python3 tools/export_torchvision.py --weights maskrcnn_resnet50_fpn_coco-bf2d0c1e.pth --out models/coco
    /usr/bin/python3 tools/export_torchvision.py --pretrained --out models/coco           # downloads the weights
    ./realtimeseg info --model models/coco/maskrcnn_resnet50_fpn.onnx

Writes MODEL.onnx (torchvision-raw contract: 28x28 masks per box, pasted by RealtimeSeg, on the GPU when
drawing), MODEL_pasted.onnx (torchvision contract: masks pasted inside the graph) and MODEL.labels.txt (the
91 COCO category ids, background first, "N/A" for the unused ids, as torchvision numbers them). The input
size (short side --size, long side at most --max-size) is written into the model's metadata; RealtimeSeg
resizes every frame to it. Needs Debian's python3-torch, python3-torchvision and python3-onnx; weights are
torchvision's own .pth file (download it where there is network, copy it here).
"""
import argparse
import os
import sys

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import maskrcnn_onnx  # noqa: E402

# torchvision's COCO category names by label id (index 0 is the background; "N/A" marks ids COCO skips).
COCO = [
    "__background__", "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
    "traffic light", "fire hydrant", "N/A", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse",
    "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "N/A", "backpack", "umbrella", "N/A", "N/A",
    "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite", "baseball bat",
    "baseball glove", "skateboard", "surfboard", "tennis racket", "bottle", "N/A", "wine glass", "cup", "fork",
    "knife", "spoon", "bowl", "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza",
    "donut", "cake", "chair", "couch", "potted plant", "bed", "N/A", "dining table", "N/A", "N/A", "toilet",
    "N/A", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone", "microwave", "oven", "toaster", "sink",
    "refrigerator", "N/A", "book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush",
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--weights", help="torchvision's maskrcnn_resnet50_fpn COCO state dict (.pth)")
    src.add_argument("--pretrained", action="store_true", help="let torchvision download the COCO weights")
    src.add_argument("--untrained", action="store_true", help="random weights: checks the export path only")
    ap.add_argument("--out", default="models/coco", help="output folder")
    ap.add_argument("--name", default="maskrcnn_resnet50_fpn", help="file name stem")
    ap.add_argument("--size", type=int, default=800, help="short side of the model input (torchvision: 800)")
    ap.add_argument("--max-size", type=int, default=1333, help="long side cap (torchvision: 1333)")
    ap.add_argument("--score-thresh", type=float, default=0.05, help="lowest score the model returns")
    ap.add_argument("--detections", type=int, default=100, help="most detections per image")
    args = ap.parse_args()

    weights = "DEFAULT" if args.pretrained else None
    model = torchvision.models.detection.maskrcnn_resnet50_fpn(
        weights=weights, weights_backbone=None, min_size=args.size, max_size=args.max_size,
        box_score_thresh=args.score_thresh, box_detections_per_img=args.detections)
    if args.weights:
        state = torch.load(args.weights, map_location="cpu")
        model.load_state_dict(state.get("model", state))
    model.eval()

    raw, pasted, labels = maskrcnn_onnx.export(model, args.out, args.name, COCO, args.size, args.max_size)
    print(f"exported {raw}, {pasted} and {labels}")


if __name__ == "__main__":
    main()
