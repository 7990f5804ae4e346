"""Two aiortc peers in one process: a data channel over host candidates, or relay-only
through a TURN server. Writes offer.sdp and answer.sdp to OUT_DIR and exits 0 once a message
has gone both ways over the data channel.

usage: aiortc_pair.py OUT_DIR [turn:HOST:PORT USER PASSWORD]

Run it inside a network namespace that has only `lo`: host candidates are 127.0.0.1.
"""
import asyncio
import sys

import aioice.ice
from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
)
from aiortc.rtcconfiguration import RTCIceTransportPolicy

# aioice skips loopback when gathering; inside the namespace loopback is all there is.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


async def run(out_dir, turn):
    if turn:
        url, user, password = turn
        config = RTCConfiguration(
            iceServers=[RTCIceServer(urls=url, username=user, credential=password)],
            iceTransportPolicy=RTCIceTransportPolicy.RELAY,
        )
    else:
        config = RTCConfiguration(iceServers=[])
    offerer = RTCPeerConnection(configuration=config)
    answerer = RTCPeerConnection(configuration=config)
    done = asyncio.get_running_loop().create_future()

    channel = offerer.createDataChannel("check")

    @channel.on("open")
    def on_open():
        channel.send("ping")

    @channel.on("message")
    def on_reply(message):
        if message == "pong" and not done.done():
            done.set_result(True)

    @answerer.on("datachannel")
    def on_datachannel(remote):
        @remote.on("message")
        def on_message(message):
            if message == "ping":
                remote.send("pong")

    await offerer.setLocalDescription(await offerer.createOffer())
    await answerer.setRemoteDescription(offerer.localDescription)
    await answerer.setLocalDescription(await answerer.createAnswer())
    await offerer.setRemoteDescription(answerer.localDescription)
    with open(f"{out_dir}/offer.sdp", "w") as f:
        f.write(offerer.localDescription.sdp)
    with open(f"{out_dir}/answer.sdp", "w") as f:
        f.write(answerer.localDescription.sdp)
    await asyncio.wait_for(done, 20)
    # Let the last acknowledgements out before closing.
    await asyncio.sleep(0.5)
    await offerer.close()
    await answerer.close()


if __name__ == "__main__":
    turn = tuple(sys.argv[2:5]) if len(sys.argv) >= 5 else None
    asyncio.run(run(sys.argv[1], turn))
    print("data channel round trip done")
