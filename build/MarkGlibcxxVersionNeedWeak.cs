using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

// Sets VER_FLG_WEAK on one version need (e.g. GLIBCXX_3.4.32) in an ELF64 little-endian shared library.
// Layout references: Elf64_Ehdr / Elf64_Shdr / Elf64_Verneed / Elf64_Vernaux from the System V gABI and
// the LSB "Symbol Versioning" chapter (.gnu.version_r = SHT_GNU_verneed).
public class MarkGlibcxxVersionNeedWeak : Task
{
    public string LibraryPath { get; set; } = "";
    public string VersionName { get; set; } = "";

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    public override bool Execute()
    {
        if (LibraryPath.Contains(Path.DirectorySeparatorChar + ".nuget" + Path.DirectorySeparatorChar))
        {
            Log.LogError($"Refusing to patch a file inside the NuGet cache: {LibraryPath}");
            return false;
        }
        var stamp = File.GetLastWriteTimeUtc(LibraryPath);
        byte[] elf = File.ReadAllBytes(LibraryPath);
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            Log.LogMessage(MessageImportance.Low, $"{LibraryPath} is not a little-endian ELF64 file; left unchanged.");
            return true;
        }
        ulong shoff = BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3A);
        int shnum = BitConverter.ToUInt16(elf, 0x3C);
        int patched = 0, alreadyWeak = 0;
        for (int i = 0; i < shnum; i++)
        {
            int sh = checked((int)shoff + i * shentsize);
            if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
            int offset = checked((int)BitConverter.ToUInt64(elf, sh + 0x18));
            int link = (int)BitConverter.ToUInt32(elf, sh + 0x28);
            int count = (int)BitConverter.ToUInt32(elf, sh + 0x2C); // sh_info = number of Verneed entries
            int strtab = checked((int)BitConverter.ToUInt64(elf, (int)shoff + link * shentsize + 0x18));
            int need = offset;
            for (int n = 0; n < count; n++)
            {
                int auxCount = BitConverter.ToUInt16(elf, need + 2);
                int aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (int a = 0; a < auxCount; a++)
                {
                    string name = ReadCString(elf, strtab + (int)BitConverter.ToUInt32(elf, aux + 8));
                    if (name == VersionName)
                    {
                        ushort flags = BitConverter.ToUInt16(elf, aux + 4);
                        if ((flags & VerFlgWeak) != 0) alreadyWeak++;
                        else
                        {
                            flags |= VerFlgWeak;
                            elf[aux + 4] = (byte)(flags & 0xff);
                            elf[aux + 5] = (byte)(flags >> 8);
                            patched++;
                        }
                    }
                    int next = (int)BitConverter.ToUInt32(elf, aux + 12);
                    if (next == 0) break;
                    aux += next;
                }
                int nextNeed = (int)BitConverter.ToUInt32(elf, need + 12);
                if (nextNeed == 0) break;
                need += nextNeed;
            }
        }
        if (patched > 0)
        {
            File.WriteAllBytes(LibraryPath, elf);
            File.SetLastWriteTimeUtc(LibraryPath, stamp);
            Log.LogMessage(MessageImportance.High, $"Marked version need {VersionName} weak in {LibraryPath} (so it loads with older libstdc++).");
        }
        else
            Log.LogMessage(MessageImportance.Low, alreadyWeak > 0 ? $"{VersionName} already weak in {LibraryPath}." : $"No {VersionName} version need in {LibraryPath}; left unchanged.");
        return true;
    }

    static string ReadCString(byte[] data, int start)
    {
        int end = start;
        while (end < data.Length && data[end] != 0) end++;
        return Encoding.ASCII.GetString(data, start, end - start);
    }
}
