"""The demo Mask R-CNN: torchvision's MaskRCNN (FPN, RPN, RoIAlign, box and mask heads) on a compact
conv backbone, sized for real time on a 2-core CPU. Shared by train_maskrcnn.py (`realtimeseg train --arch small`) and the speed probe."""
from collections import OrderedDict

import torch
import torch.nn as nn
from torchvision.models.detection import MaskRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
from torchvision.ops import MultiScaleRoIAlign
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool


def conv_bn(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class CompactBackbone(nn.Module):
    """Strided 3x3 conv-BN-ReLU stages (BN folds into the convs at export, so it costs nothing at run time)."""

    def __init__(self, widths):
        super().__init__()
        w0, w1, w2, w3, w4 = widths
        self.stem = conv_bn(3, w0, 2)                                    # stride 2
        self.layer1 = nn.Sequential(conv_bn(w0, w1, 2), conv_bn(w1, w1, 1))  # stride 4
        self.layer2 = nn.Sequential(conv_bn(w1, w2, 2), conv_bn(w2, w2, 1))  # stride 8
        self.layer3 = nn.Sequential(conv_bn(w2, w3, 2), conv_bn(w3, w3, 1))  # stride 16
        self.layer4 = nn.Sequential(conv_bn(w3, w4, 2), conv_bn(w4, w4, 1))  # stride 32

    def forward(self, x):
        return self.layer4(self.layer3(self.layer2(self.layer1(self.stem(x)))))


VARIANTS = {
    # name: backbone widths, FPN channels, levels used, mask head channels, box head width
    "s": dict(widths=(16, 24, 48, 64, 96), fpn=48, levels=("layer1", "layer2", "layer3", "layer4"), mask=(32, 32), rep=128),
    "m": dict(widths=(24, 32, 64, 96, 128), fpn=64, levels=("layer1", "layer2", "layer3", "layer4"), mask=(48, 48), rep=192),
    "s3": dict(widths=(16, 24, 48, 64, 96), fpn=48, levels=("layer2", "layer3", "layer4"), mask=(32, 32), rep=128),
}


def build(num_classes, variant="s", min_size=240, max_size=320, score_thresh=0.05):
    """score_thresh is the lowest score the model returns at inference (torchvision's default; displays filter higher)."""
    v = VARIANTS[variant]
    levels = v["levels"]
    in_channels = {"layer1": v["widths"][1], "layer2": v["widths"][2], "layer3": v["widths"][3], "layer4": v["widths"][4]}
    names = [str(i) for i in range(len(levels))]
    backbone = BackboneWithFPN(CompactBackbone(v["widths"]), return_layers=dict(zip(levels, names)),
                               in_channels_list=[in_channels[l] for l in levels], out_channels=v["fpn"],
                               extra_blocks=LastLevelMaxPool())
    first_stride = {"layer1": 4, "layer2": 8}[levels[0]]
    sizes = tuple((first_stride * 4 * 2 ** i,) for i in range(len(levels) + 1))  # 16,32,64,128,256 from P2
    anchors = AnchorGenerator(sizes, ((0.5, 1.0, 2.0),) * len(sizes))
    rep = v["rep"]
    return MaskRCNN(
        backbone, num_classes=None, min_size=min_size, max_size=max_size,
        rpn_anchor_generator=anchors,
        rpn_pre_nms_top_n_train=600, rpn_post_nms_top_n_train=300,
        rpn_pre_nms_top_n_test=300, rpn_post_nms_top_n_test=100,
        box_roi_pool=MultiScaleRoIAlign(names, 7, 2),
        box_head=TwoMLPHead(v["fpn"] * 7 * 7, rep),
        box_predictor=FastRCNNPredictor(rep, num_classes),
        box_score_thresh=score_thresh, box_detections_per_img=30, box_batch_size_per_image=256,
        mask_roi_pool=MultiScaleRoIAlign(names, 14, 2),
        mask_head=MaskRCNNHeads(v["fpn"], v["mask"], 1),
        mask_predictor=MaskRCNNPredictor(v["mask"][-1], v["mask"][-1], num_classes),
    )
