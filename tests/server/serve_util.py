"""serve_util.py — one `tongcheng serve` for a test: started on 127.0.0.1 with --port 0, its port read from the
start-up line (a state waited for, with a bound), stopped with SIGTERM and its exit status returned."""
import os
import subprocess
import time


class Served:
    def __init__(self, tc, net, work, *extra, name="serve"):
        self.log_path = os.path.join(work, name + ".log")
        self.proc = subprocess.Popen([tc, "serve", net, "--host", "127.0.0.1", "--port", "0", "--tiles", "none",
                                      *extra], stdout=subprocess.DEVNULL, stderr=open(self.log_path, "w"))
        self.port, deadline = None, time.time() + 60
        while self.port is None and time.time() < deadline and self.proc.poll() is None:
            for line in self.log().splitlines():
                if "listening on http://127.0.0.1:" in line:
                    self.port = int(line.split("127.0.0.1:")[1].split("/")[0])
            time.sleep(0.05)
        if self.port is None:
            self.stop()
            raise RuntimeError("the server did not start: " + self.log()[-2000:])

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self, timeout=60):
        """SIGTERM, then the exit status (None when it had to be killed)."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None
