using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RealtimeSeg.Native;

// The structs of include/realtimeseg.h, field for field in the same order: sequential layout gives C's natural
// alignment on every platform the library builds for. A test compiles the header and checks each sizeof.

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SessionOptions
{
    public uint StructSize;
    public byte* Provider;
    public int Threads;
    public float MinScore;
    public int* Classes;
    public int ClassCount;
    public int MaxInstances;
    public float MaxInferenceFps;
    public byte* LabelsPath;

    public static SessionOptions Defaults => new()
    {
        StructSize = (uint)sizeof(SessionOptions),
        MinScore = 0.5f,
        MaxInstances = 100,
    };
}

[StructLayout(LayoutKind.Sequential)]
internal struct ResultInfo
{
    public uint StructSize;
    public int InstanceCount;
    public long FrameId;
    public long CaptureTimeNs;
    public int Width;
    public int Height;
    public int RawMaskSize;
    public float LatencyMs;
}

[InlineArray(64)]
internal struct Name64
{
    private byte _first;
}

[InlineArray(32)]
internal struct Name32
{
    private byte _first;
}

[StructLayout(LayoutKind.Sequential)]
internal struct Instance
{
    public uint StructSize;
    public float X1, Y1, X2, Y2;
    public float Score;
    public int ClassId;
    public int TrackId;
    public Name64 ClassName;
}

[StructLayout(LayoutKind.Sequential)]
internal struct Stats
{
    public uint StructSize;
    public float InferenceFps;
    public float LatencyMs;
    public long FramesPushed;
    public long FramesDropped;
    public long Results;
    public Name32 Provider;
}

/// <summary>The RTS_DRAW_* flags.</summary>
[Flags]
internal enum DrawFlags : uint
{
    Frame = 1 << 0,
    Masks = 1 << 1,
    Outlines = 1 << 2,
    Boxes = 1 << 3,
    Labels = 1 << 4,
    Scores = 1 << 5,
    TrackIds = 1 << 6,
    All = (1 << 7) - 1,
}
