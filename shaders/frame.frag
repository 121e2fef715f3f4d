uniform sampler2D uFrame;
uniform int uSwapRedBlue; // 1 for BGR / BGRA frames: swizzled here instead of repacked on the CPU
in vec2 vUv;
out vec4 outColor;

void main()
{
    vec4 c = texture(uFrame, vUv);
    outColor = vec4(uSwapRedBlue == 1 ? c.bgr : c.rgb, 1.0);
}
