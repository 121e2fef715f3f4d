namespace RealtimeSeg.Runtime.Pipeline;

/// <summary>What a display shows: each result on its own frame, or every camera frame with the newest masks.</summary>
public enum DisplayMode
{
    /// <summary>
    /// Each result drawn on the frame it was computed from: masks sit exactly on the picture, and the picture
    /// advances only as fast as the model (every frame of a file processed offline; a slow model's 2-5 fps).
    /// </summary>
    Sync,

    /// <summary>
    /// Every new camera frame drawn at display rate with the newest result, its masks moved along each track's
    /// velocity to the frame's capture time: the picture keeps the camera's rate whatever the model's.
    /// </summary>
    Live,
}
