// One instanced quad per instance, covering the frame-pixel rectangle its mask can touch.
layout(location = 0) in vec4 aRect;   // x0, y0, x1, y1: frame pixels to rasterise (clipped to the frame)
layout(location = 1) in vec4 aPaste;  // raw: expanded integer box x0, y0, width, height; bitmap: bounds x0, y0, w, h
layout(location = 2) in vec4 aColor;
layout(location = 3) in float aLayer;
layout(location = 4) in vec2 aSourceSize; // bitmap: the stored bounds' size (differs from aPaste.zw when moved and scaled)
flat out vec4 vPaste;
flat out vec2 vSourceSize;
flat out vec4 vColor;
flat out int vLayer;

void main()
{
    vPaste = aPaste;
    vSourceSize = aSourceSize;
    vColor = aColor;
    vLayer = int(aLayer);
    gl_Position = windowToClip(frameToWindow(mix(aRect.xy, aRect.zw, quadCorner())));
}
