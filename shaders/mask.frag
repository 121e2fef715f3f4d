// Instance masks. Raw 28x28 masks are pasted here exactly as torchvision's paste_masks_in_image (and the CPU
// MaskPaste) does: the mask padded by one zero cell, stretched bilinearly (align_corners=False) over the
// expanded integer box, thresholded at 0.5, evaluated per frame pixel, so GPU and CPU agree to the pixel.
// Full-resolution masks (models that paste their own) come as R8 layers holding each mask's bounds.
uniform sampler2DArray uMasks;
uniform int uRawMasks;      // 1: raw probabilities (R32F, M x M per layer); 0: bitmaps (R8, bounds-sized)
uniform int uMaskSize;      // M
uniform float uFillAlpha;
uniform float uOutlineFramePixels; // outline width in frame pixels (>= 1 screen pixel); 0 = no outline
uniform vec2 uFrameSize;
flat in vec4 vPaste;
flat in vec2 vSourceSize;
flat in vec4 vColor;
flat in int vLayer;
out vec4 outColor;

float padded(int x, int y)
{
    if (x < 1 || y < 1 || x > uMaskSize || y > uMaskSize) return 0.0;
    return texelFetch(uMasks, ivec3(x - 1, y - 1, vLayer), 0).r;
}

// PyTorch's area_pixel_compute_source_index (align_corners=False) and its two taps.
void taps(int dst, float scale, int size, out int i0, out int i1, out float lambda)
{
    float src = max(scale * (float(dst) + 0.5) - 0.5, 0.0);
    i0 = min(int(src), size - 1);
    i1 = i0 < size - 1 ? i0 + 1 : i0;
    lambda = src - float(i0);
}

bool inside(ivec2 p)
{
    if (p.x < 0 || p.y < 0 || float(p.x) >= uFrameSize.x || float(p.y) >= uFrameSize.y) return false;
    ivec2 local = p - ivec2(vPaste.xy);
    ivec2 size = ivec2(vPaste.zw);
    if (local.x < 0 || local.y < 0 || local.x >= size.x || local.y >= size.y) return false;
    if (uRawMasks == 0)
    {
        // Nearest bitmap pixel under this one; the identity when the bounds were not moved or scaled.
        ivec2 source = min(ivec2((vec2(local) + 0.5) * vSourceSize / vec2(size)), ivec2(vSourceSize) - 1);
        return texelFetch(uMasks, ivec3(source, vLayer), 0).r > 0.0;
    }
    int paddedSize = uMaskSize + 2;
    int x0, x1, y0, y1;
    float lx, ly;
    taps(local.x, float(paddedSize) / float(size.x), paddedSize, x0, x1, lx);
    taps(local.y, float(paddedSize) / float(size.y), paddedSize, y0, y1, ly);
    float top = padded(x0, y0) * (1.0 - lx) + padded(x1, y0) * lx;
    float bottom = padded(x0, y1) * (1.0 - lx) + padded(x1, y1) * lx;
    return top * (1.0 - ly) + bottom * ly > 0.5;
}

void main()
{
    ivec2 p = ivec2(floor(windowToFrame(gl_FragCoord.xy)));
    if (!inside(p)) discard;
    if (uOutlineFramePixels > 0.0)
    {
        int d = max(1, int(uOutlineFramePixels + 0.5));
        if (!inside(p + ivec2(d, 0)) || !inside(p - ivec2(d, 0)) || !inside(p + ivec2(0, d)) || !inside(p - ivec2(0, d)))
        {
            outColor = vec4(vColor.rgb, 1.0);
            return;
        }
    }
    outColor = vec4(vColor.rgb, uFillAlpha);
}
