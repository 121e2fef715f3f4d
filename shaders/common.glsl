// Shared by every overlay program. Frame pixels have their origin at the frame's top-left, y down; the frame
// is letterboxed into the viewport at uScale with its top-left at uContentOffset (viewport pixels, from the
// viewport's top-left). Window coordinates are GL's: origin bottom-left of the framebuffer.
uniform vec2 uViewportOrigin;  // glViewport x, y
uniform vec2 uViewportSize;    // glViewport width, height
uniform vec2 uContentOffset;   // letterbox offset, viewport pixels from the top-left
uniform float uScale;          // viewport pixels per frame pixel

vec2 frameToWindow(vec2 p)
{
    return vec2(uViewportOrigin.x + uContentOffset.x + p.x * uScale,
                uViewportOrigin.y + uViewportSize.y - (uContentOffset.y + p.y * uScale));
}

vec2 windowToFrame(vec2 w)
{
    return vec2((w.x - uViewportOrigin.x - uContentOffset.x) / uScale,
                (uViewportOrigin.y + uViewportSize.y - w.y - uContentOffset.y) / uScale);
}

vec4 windowToClip(vec2 w)
{
    return vec4((w - uViewportOrigin) / uViewportSize * 2.0 - 1.0, 0.0, 1.0);
}

#ifdef VERTEX_SHADER
// The unit quad of a 4-vertex triangle strip, from gl_VertexID: no vertex buffer needed.
vec2 quadCorner()
{
    return vec2(float(gl_VertexID & 1), float(gl_VertexID >> 1));
}
#endif
