#!/usr/bin/env python3
# Static server for the WebGPU benchmark on a GPU machine without Node.js (webgpu-bench.sh): serves the
# built app (dist/) and the golden cases with the cross-origin isolation headers the app needs, prints
# what the page posts to /__log, writes what it posts to /__result, and exits once a result arrived (or
# after --timeout seconds, with exit status 2).
import argparse
import http.server
import os
import sys
import threading

parser = argparse.ArgumentParser()
parser.add_argument('--dist', required=True, help='built app (vite build output)')
parser.add_argument('--fixtures', required=True, help='folder holding cases/*.json')
parser.add_argument('--result', required=True, help='where the posted report is written')
parser.add_argument('--port', type=int, default=8765)
parser.add_argument('--timeout', type=float, default=480)
args = parser.parse_args()

MAX_POST = 16 * 1024 * 1024
done = threading.Event()


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, '.wasm': 'application/wasm', '.mjs': 'text/javascript', '.js': 'text/javascript'}

    def translate_path(self, path):
        clean = path.split('?', 1)[0]
        if clean.startswith('/fixtures/'):
            rel = clean[len('/fixtures/'):]
            root = args.fixtures
        else:
            rel = clean.lstrip('/') or 'index.html'
            root = args.dist
        full = os.path.realpath(os.path.join(root, rel))
        return full if full.startswith(os.path.realpath(root) + os.sep) else os.path.join(root, '__missing__')

    def end_headers(self):
        self.send_header('Cross-Origin-Opener-Policy', 'same-origin')
        self.send_header('Cross-Origin-Embedder-Policy', 'require-corp')
        self.send_header('Cross-Origin-Resource-Policy', 'same-origin')
        self.send_header('Cache-Control', 'no-store')
        super().end_headers()

    def do_POST(self):
        length = int(self.headers.get('Content-Length') or 0)
        if length > MAX_POST:
            self.send_error(413)
            return
        body = self.rfile.read(length)
        if self.path == '/__log':
            print(body.decode('utf-8', 'replace'), flush=True)
        elif self.path == '/__result':
            with open(args.result, 'wb') as f:
                f.write(body)
            print(f'report written to {args.result} ({len(body)} bytes)', flush=True)
            done.set()
        else:
            self.send_error(404)
            return
        self.send_response(204)
        self.end_headers()

    def log_message(self, *a):
        pass


server = http.server.ThreadingHTTPServer(('127.0.0.1', args.port), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print(f'serving {args.dist} on http://127.0.0.1:{args.port}', flush=True)
ok = done.wait(args.timeout)
server.shutdown()
if not ok:
    print(f'no report after {args.timeout:.0f} s', file=sys.stderr, flush=True)
sys.exit(0 if ok else 2)
