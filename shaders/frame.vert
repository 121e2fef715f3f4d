// The video frame, letterboxed: one quad over the frame's rectangle.
uniform vec2 uFrameSize;
out vec2 vUv;

void main()
{
    vec2 corner = quadCorner();
    vUv = corner; // v = 0 at the frame's top row, which is the first row in memory
    gl_Position = windowToClip(frameToWindow(corner * uFrameSize));
}
