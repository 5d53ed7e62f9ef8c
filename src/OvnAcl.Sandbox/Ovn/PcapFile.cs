using System.Buffers.Binary;

namespace OvnAcl.Sandbox;

/// <summary>
/// Reads the frames of a classic pcap file (what netdev-dummy's <c>options:tx_pcap</c> writes) while the writer may
/// still be appending: a record cut short at the end is left for the next read.
/// </summary>
internal static class PcapFile
{
    private const int FileHeaderLength = 24;
    private const int RecordHeaderLength = 16;

    public static List<byte[]> ReadFrames(string path)
    {
        byte[] bytes;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes = copy.ToArray();
        }
        catch (FileNotFoundException)
        {
            return [];
        }

        var frames = new List<byte[]>();
        if (bytes.Length < FileHeaderLength)
        {
            return frames;
        }

        // 0xa1b2c3d4 written in the writer's byte order; OVS writes its host's, little-endian here.
        var bigEndian = BinaryPrimitives.ReadUInt32BigEndian(bytes) == 0xa1b2c3d4;
        var offset = FileHeaderLength;
        while (offset + RecordHeaderLength <= bytes.Length)
        {
            var header = bytes.AsSpan(offset + 8, 4);
            var included = (int)(bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(header) : BinaryPrimitives.ReadUInt32LittleEndian(header));
            if (included < 0 || offset + RecordHeaderLength + included > bytes.Length)
            {
                break;
            }

            frames.Add(bytes.AsSpan(offset + RecordHeaderLength, included).ToArray());
            offset += RecordHeaderLength + included;
        }

        return frames;
    }
}
