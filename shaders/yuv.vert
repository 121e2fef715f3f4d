// A full-target quad for the colour conversion pass.
void main()
{
    gl_Position = vec4(quadCorner() * 2.0 - 1.0, 0.0, 1.0);
}
