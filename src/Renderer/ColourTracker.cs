using RealtimeSeg.Runtime.Structures;

namespace RealtimeSeg.Renderer;

/// <summary>
/// Stable instance colours across results, as detectron2's video visualiser does: each instance is matched to
/// a remembered one of the same class by box IoU and keeps its colour; one not seen for a few results is
/// forgotten, so a single missed detection does not reshuffle colours. Allocation-free after warm-up.
/// </summary>
internal sealed class ColourTracker
{
    public static readonly int[] DefaultPalette =
    [
        0xE6194B, 0x3CB44B, 0xFFE119, 0x4363D8, 0xF58231, 0x911EB4, 0x46F0F0, 0xF032E6,
        0xBCF60C, 0xFABEBE, 0x008080, 0xE6BEFF, 0x9A6324, 0xFFFAC8, 0x800000, 0xAAFFC3,
    ];

    private const float MatchIou = 0.3f;
    private readonly int _timeToLive;
    private Track[] _tracks = new Track[32];
    private int _trackCount;
    private int _nextColour;
    private bool[] _claimed = new bool[32];

    private struct Track
    {
        public BoxF Box;
        public int ClassId;
        public int Colour;
        public int Age;
    }

    /// <param name="timeToLive">Results an unmatched instance is remembered for.</param>
    public ColourTracker(int timeToLive = 3) => _timeToLive = timeToLive;

    /// <summary>Assigns a colour (0xRRGGBB) to each instance of a new result; call once per result, in order.</summary>
    public void Assign(InstanceSet instances, IReadOnlyList<int> palette, Span<int> colours)
    {
        if (_claimed.Length < _trackCount + instances.Count)
        {
            Array.Resize(ref _claimed, 2 * (_trackCount + instances.Count));
        }
        _claimed.AsSpan().Clear();
        int existing = _trackCount;
        for (int i = 0; i < instances.Count; i++)
        {
            // Greedy best IoU among this class's unclaimed tracks; instances come in score order, so the surest win ties.
            int best = -1;
            float bestIou = MatchIou;
            for (int t = 0; t < existing; t++)
            {
                if (_claimed[t] || _tracks[t].ClassId != instances.ClassIds[i])
                {
                    continue;
                }
                float iou = BoxF.Iou(_tracks[t].Box, instances.Boxes[i]);
                if (iou >= bestIou)
                {
                    (best, bestIou) = (t, iou);
                }
            }
            if (best < 0)
            {
                best = AddTrack(instances.ClassIds[i], palette);
            }
            _claimed[best] = true;
            _tracks[best].Box = instances.Boxes[i];
            _tracks[best].Age = 0;
            colours[i] = _tracks[best].Colour;
        }
        // Age the unmatched; drop the expired, keeping order stable.
        int kept = 0;
        for (int t = 0; t < _trackCount; t++)
        {
            if (!_claimed[t] && ++_tracks[t].Age > _timeToLive)
            {
                continue;
            }
            _tracks[kept++] = _tracks[t];
        }
        _trackCount = kept;
    }

    /// <summary>Forgets every instance (a new source, a seek).</summary>
    public void Reset() => (_trackCount, _nextColour) = (0, 0);

    private int AddTrack(int classId, IReadOnlyList<int> palette)
    {
        if (_trackCount == _tracks.Length)
        {
            Array.Resize(ref _tracks, _tracks.Length * 2);
            Array.Resize(ref _claimed, _tracks.Length * 2);
        }
        // The next palette colour no live track uses, so neighbours differ.
        int colour = palette[_nextColour % palette.Count];
        for (int attempt = 0; attempt < palette.Count; attempt++)
        {
            colour = palette[(_nextColour + attempt) % palette.Count];
            if (!InUse(colour))
            {
                _nextColour += attempt;
                break;
            }
        }
        _nextColour++;
        _tracks[_trackCount] = new Track { ClassId = classId, Colour = colour };
        return _trackCount++;
    }

    private bool InUse(int colour)
    {
        for (int t = 0; t < _trackCount; t++)
        {
            if (_tracks[t].Colour == colour)
            {
                return true;
            }
        }
        return false;
    }
}
