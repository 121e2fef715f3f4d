// Box outlines are a band exactly `thickness` window pixels wide inside the rectangle (pixel-exact at any
// scale); filled rectangles are chips; glyphs read the anti-aliased glyph atlas one texel per window pixel
// (the atlas is baked at the size drawn) and blend the text colour by the glyph's coverage.
uniform sampler2D uFont;
uniform int uMode; // 0: outline or fill, 1: glyph
flat in vec4 vRect;
flat in vec4 vColor;
flat in vec4 vParams;
out vec4 outColor;

void main()
{
    vec2 p = floor(gl_FragCoord.xy) - vRect.xy; // pixels from the rectangle's bottom-left
    if (uMode == 1)
    {
        float scale = vParams.z;
        vec2 size = vRect.zw - vRect.xy;
        ivec2 texel = ivec2(int(p.x / scale), int((size.y - 1.0 - p.y) / scale)); // atlas rows run top-down
        float coverage = texelFetch(uFont, ivec2(vParams.xy) + texel, 0).r;
        if (coverage <= 0.0) discard;
        outColor = vec4(vColor.rgb, vColor.a * coverage);
        return;
    }
    float t = vParams.x;
    if (t > 0.0)
    {
        vec2 size = vRect.zw - vRect.xy;
        if (p.x >= t && p.y >= t && p.x < size.x - t && p.y < size.y - t) discard;
    }
    outColor = vColor;
}
