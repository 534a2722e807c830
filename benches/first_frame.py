#!/usr/bin/env python3
"""Process start to first frame of `hikeshi tui`, in a real pseudo-terminal.

Usage: benches/first_frame.py [HIKESHI_BINARY] [RUNS]
Starts an incident from the stock 不正アクセス playbook in a temporary folder, then runs
`hikeshi tui` RUNS times, timing from the fork to the first bytes of the screen's
progress line, and prints the median and the spread. Results go to docs/performance.md.
"""
import fcntl, os, pty, select, statistics, struct, subprocess, sys, tempfile, termios, time

binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/hikeshi"
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
# Wide characters are written one cursor move apart, so wait for ASCII text of the frame.
marker = b" 0/26 "

with tempfile.TemporaryDirectory() as tmp:
    env = dict(os.environ, HIKESHI_INCIDENTS=os.path.join(tmp, "incidents"),
               HIKESHI_OPERATOR="bench", LANG="C.UTF-8", TERM="xterm-256color")
    out = subprocess.run([binary, "start", "unauthorized-access"], env=env,
                         capture_output=True, check=True, text=True).stdout
    incident = out.strip().splitlines()[-1]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            # A real terminal has a size: 120 columns, 40 rows.
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
            os.execve(binary, [binary, "tui", incident], env)
        seen = b""
        while marker not in seen:
            ready, _, _ = select.select([fd], [], [], 10)
            if not ready:
                raise SystemExit("no frame within 10 s")
            seen += os.read(fd, 65536)
        times.append((time.perf_counter() - start) * 1000)
        os.write(fd, b"q")
        try:
            while os.read(fd, 65536):
                pass
        except OSError:
            pass
        os.waitpid(pid, 0)
    times.sort()
    print(f"first frame: median {statistics.median(times):.1f} ms, "
          f"min {times[0]:.1f} ms, max {times[-1]:.1f} ms over {runs} runs")
