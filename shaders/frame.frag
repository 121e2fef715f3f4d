uniform sampler2D uFrame;   // RGB(A) frames; for YUV 4:2:0 frames, the luma plane
uniform sampler2D uChromaU; // YUV 4:2:0 only: the half-size U and V planes
uniform sampler2D uChromaV;
uniform int uSwapRedBlue;   // 1 for BGR / BGRA frames: swizzled here instead of repacked on the CPU
uniform int uYuv;           // 1 for YUV 4:2:0 frames: converted here, never on the CPU
uniform vec3 uYuvOffset;    // (luma offset, 128, 128) / 255
uniform mat3 uYuvToRgb;     // the frame's matrix and range (YuvColor.Coefficients)
in vec2 vUv;
out vec4 outColor;

void main()
{
    if (uYuv == 1)
    {
        vec3 yuv = vec3(texture(uFrame, vUv).r, texture(uChromaU, vUv).r, texture(uChromaV, vUv).r);
        outColor = vec4(clamp(uYuvToRgb * (yuv - uYuvOffset), 0.0, 1.0), 1.0);
        return;
    }
    vec4 c = texture(uFrame, vUv);
    outColor = vec4(uSwapRedBlue == 1 ? c.bgr : c.rgb, 1.0);
}
