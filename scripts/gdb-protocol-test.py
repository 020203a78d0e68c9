#!/usr/bin/env python3
"""The gdbstub's protocol, byte by byte, for what gdb itself never sends: corrupt and malformed
packets (each must get `-`, an error reply or the empty "not supported" reply, and the VMM must
live on), no-ack mode, writing memory, Ctrl-C while the guest runs, and kill.

    scripts/gdb-protocol-test.py --conduit BIN --kernel .build/guests/demo.elf
"""
import argparse
import socket
import subprocess
import sys
import time


def checksum(payload: bytes) -> bytes:
    return b"%02x" % (sum(payload) % 256)


def frame(payload: bytes) -> bytes:
    return b"$" + payload + b"#" + checksum(payload)


class Client:
    def __init__(self, port):
        for _ in range(100):
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("cannot connect to the stub")
        self.buffer = b""
        self.acks = True

    def read_byte(self) -> int:
        while not self.buffer:
            data = self.sock.recv(65536)
            if not data:
                raise EOFError("the stub closed the connection")
            self.buffer += data
        byte, self.buffer = self.buffer[0], self.buffer[1:]
        return byte

    def read_packet(self) -> bytes:
        """The next packet's payload; skips acks and O (console) packets' framing is kept."""
        while self.read_byte() != ord("$"):
            pass
        payload = b""
        while (byte := self.read_byte()) != ord("#"):
            payload += bytes([byte])
        sent = bytes([self.read_byte(), self.read_byte()])
        if sent != checksum(payload):
            raise RuntimeError(f"bad checksum from the stub on {payload!r}")
        if self.acks:
            self.sock.sendall(b"+")
        return payload

    def ack(self) -> bytes:
        return bytes([self.read_byte()])

    def send_raw(self, data: bytes):
        self.sock.sendall(data)

    def request(self, payload: bytes, skip_console=True) -> bytes:
        self.sock.sendall(frame(payload))
        if self.acks:
            ack = self.ack()
            if ack != b"+":
                raise RuntimeError(f"{payload!r}: acknowledged with {ack!r}")
        reply = self.read_packet()
        while skip_console and reply.startswith(b"O") and reply != b"OK":
            reply = self.read_packet()
        return reply


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--conduit", required=True)
    parser.add_argument("--kernel", required=True)
    args = parser.parse_args()

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    vm = subprocess.Popen([args.conduit, "run", "--kernel", args.kernel, "-gdb", f"tcp::{port}", "-S", "--timeout", "60"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    failures = []

    def check(condition, what):
        print(("  ok: " if condition else "  FAILED: ") + what)
        if not condition:
            failures.append(what)

    try:
        client = Client(port)
        check(client.request(b"qSupported:swbreak+;hwbreak+").startswith(b"PacketSize="), "qSupported")
        # A packet whose checksum is wrong is refused with '-', and the stub goes on.
        client.send_raw(b"$g#00")
        check(client.ack() == b"-", "a corrupt checksum gets '-'")
        # Longer than PacketSize: dropped whole, refused.
        client.send_raw(frame(b"M40200000,4:" + b"00" * 0x4000))
        check(client.ack() == b"-", "an oversized packet gets '-'")
        malformed = {
            b"m": b"E01", b"mzz,10": b"E01", b"m40200000": b"E01", b"m1,": b"E01",
            b"m12345678123456781,4": b"E01",           # 17 hex digits: no overflow, an error
            b"mffffffffffffffff,10": b"E0e",           # does not translate
            b"m0,ffffffffffffffff": b"E0e",            # nothing at 0 on virt
            b"pffff": b"E01", b"p": b"E01", b"P0=zz": b"E01", b"P0": b"E01", b"P0=00": b"E01",
            b"G00": b"E01", b"Gzz": b"E01",
            b"M40200000,4:0011": b"E01", b"M40200000,4": b"E01", b"X40200000,4:\x01": b"E01",
            b"Z0,abc": b"E01", b"Z0": b"E01", b"Z9,0,4": b"", b"Z2,40200000,0": b"E01",
            b"Hg99": b"E01", b"Hx1": b"E01", b"H": b"E01", b"T99": b"E01", b"Tzz": b"E01",
            b"vCont;x": b"E01", b"vCont;s:99": b"E01", b"Czz": b"E01",
            b"qXfer:features:read:other.xml:0,10": b"E00", b"qXfer:features:read:target.xml:zz": b"E01",
            b"qXfer:features:read:target.xml:ffffff,10": b"E01",
            b"qRcmd,zz": b"E01", b"qThreadExtraInfo,99": b"E01", b"Qqemu.PhyMemMode:7": b"E01",
            b"\xff\xfe": b"", b"qUnknownThing": b"", b"vMustReplyEmpty": b"", b"!": b"",
        }
        for packet, expected in malformed.items():
            reply = client.request(packet)
            check(reply == expected, f"{packet[:40]!r} -> {expected!r} (got {reply[:40]!r})")
        check(client.request(b"qRcmd," + b"catch firmware 5-1".hex().encode()) == b"OK", "a bad monitor range is reported, not fatal")
        check(client.request(b"qRcmd," + b"bogus".hex().encode()) == b"OK", "an unknown monitor command is reported")
        check(client.request(b"QStartNoAckMode") == b"OK", "QStartNoAckMode")
        client.acks = False
        check(client.request(b"?").startswith(b"T05thread:1;"), "no-ack mode: the initial stop")
        # Write an endless loop (B .) at the entry through M, read it back, and run into it.
        check(client.request(b"M40200000,4:00000014") == b"OK", "M writes guest memory")
        check(client.request(b"m40200000,4") == b"00000014", "m reads it back")
        client.send_raw(frame(b"c"))
        time.sleep(0.5)
        check(vm.poll() is None, "the guest is running (in its loop)")
        client.send_raw(b"\x03")
        stop = client.read_packet()
        check(stop.startswith(b"T02thread:1;"), f"Ctrl-C stops it with SIGINT (got {stop!r})")
        pc = client.request(b"p20")
        check(pc == b"0000204000000000", f"at the loop (pc {pc!r})")
        # vCont with nothing to resume is an error; vKill is answered, then the run ends.
        check(client.request(b"vCont;t") == b"E01", "vCont that resumes no thread is refused")
        check(client.request(b"vKill;1") == b"OK", "vKill is answered OK before the kill")
        status = vm.wait(timeout=20)
        check(status == 9, f"kill ends the run with status 9 (got {status})")
    except Exception as error:  # noqa: BLE001 - any failure of the exchange is a test failure
        failures.append(repr(error))
        print(f"  FAILED: {error!r}")
    finally:
        if vm.poll() is None:
            vm.kill()
        stderr = vm.communicate()[1].decode(errors="replace")
    check("Fatal error" not in stderr and "Swift runtime failure" not in stderr, "no Swift trap in the VMM")
    if failures:
        print(stderr)
        print(f"gdb-protocol-test: {len(failures)} check(s) failed")
        sys.exit(1)
    print("gdb-protocol-test: all checks passed")


if __name__ == "__main__":
    main()
