// Instanced rectangles in window pixels: box outlines, label chips, HUD panels and text glyphs.
layout(location = 0) in vec4 aRect;   // window pixels: x0, y0 (bottom-left), x1, y1
layout(location = 1) in vec4 aColor;
layout(location = 2) in vec4 aParams; // outline: thickness (0 = filled); glyph: atlas cell x, y (top-left texel), 1, 1
flat out vec4 vRect;
flat out vec4 vColor;
flat out vec4 vParams;

void main()
{
    vRect = aRect;
    vColor = aColor;
    vParams = aParams;
    gl_Position = windowToClip(mix(aRect.xy, aRect.zw, quadCorner()));
}
