using System.Text.RegularExpressions;

namespace RealtimeSeg.Tests.Native;

/// <summary>What a C host must never read in an rts_last_error message: the C# API behind the header.</summary>
internal static partial class CAbiMessages
{
    [GeneratedRegex(@"\b(\w*Exception|OffscreenTarget|OverlayRenderer|ExecutionProvider|InferenceOptions|SegmentationSession|SegmentationModel|SegmentationResult|HostFrameInput|ModelOptions|Rgba32|Bgra32|Rgb24|Bgr24|dotnet|OrtFlavor|Native(Session|Result|Overlay|Model))\b")]
    public static partial Regex CSharpTerm();
}
