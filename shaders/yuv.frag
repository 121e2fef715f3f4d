// RGBA → planar YUV 4:2:0 (BT.601, limited range, as FFmpeg's yuv420p expects) into an R8 target W x (H*3/2),
// so a recording reads back 1.5 bytes a pixel instead of 4 and FFmpeg skips its own conversion. Row r of the
// target (GL row r) is row r of the file layout: the Y plane (H rows of W), then U and V (W/2 x H/2 each,
// packed W bytes to a row). The source texture's GL rows run bottom-up.
uniform sampler2D uSource;
uniform ivec2 uSize; // W, H (even)
out vec4 outColor;

vec3 rgbAt(int x, int topRow)
{
    return texelFetch(uSource, ivec2(x, uSize.y - 1 - topRow), 0).rgb;
}

void main()
{
    ivec2 p = ivec2(gl_FragCoord.xy);
    int w = uSize.x, h = uSize.y;
    float value;
    if (p.y < h)
    {
        vec3 c = rgbAt(p.x, p.y);
        value = 16.0 + 65.481 * c.r + 128.553 * c.g + 24.966 * c.b;
    }
    else
    {
        int b = (p.y - h) * w + p.x;
        int plane = w * h / 4;
        bool isV = b >= plane;
        if (isV) b -= plane;
        int cx = b % (w / 2), cy = b / (w / 2);
        vec3 c = (rgbAt(2 * cx, 2 * cy) + rgbAt(2 * cx + 1, 2 * cy) + rgbAt(2 * cx, 2 * cy + 1) + rgbAt(2 * cx + 1, 2 * cy + 1)) * 0.25;
        value = isV ? 128.0 + 112.0 * c.r - 93.786 * c.g - 18.214 * c.b
                    : 128.0 - 37.797 * c.r - 74.203 * c.g + 112.0 * c.b;
    }
    outColor = vec4(floor(value + 0.5) / 255.0, 0.0, 0.0, 1.0);
}
