using System.Net;
using System.Net.Sockets;

namespace OvnAcl.Sandbox;

/// <summary>
/// Loopback ports for addresses that must be known before a server starts (RAFT peers name each other in the
/// db file). All are bound at once so they differ, then released; the small window in which another process
/// could take one is the price of ovsdb-tool needing the address up front.
/// </summary>
internal static class FreePorts
{
    public static IReadOnlyList<int> Take(int count)
    {
        var sockets = new List<Socket>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            }

            return sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port).ToList();
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }
}
