"""A stand-in for the part of GitHub's REST API that ci/pr-comment.py calls: a pull
request's comments, listed (paginated), created and edited, kept in memory.

    server = MockGitHub(token="t", fail=False)   # starts on a free local port
    server.url                                    # for GITHUB_API_URL
    server.comments                               # [{"id", "body", "issue"}]
    server.requests                               # ["GET /repos/...", ...]
    server.close()

With fail=True every request answers HTTP 500 with a JSON message; a request without
"Authorization: Bearer <token>" answers 401, one for an unknown path 404.
"""
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LIST = re.compile(r"^/repos/([^/]+/[^/]+)/issues/(\d+)/comments$")
EDIT = re.compile(r"^/repos/([^/]+/[^/]+)/issues/comments/(\d+)$")


class MockGitHub:
    def __init__(self, token, fail=False, repo="owner/repo"):
        self.token, self.fail, self.repo = token, fail, repo
        self.comments, self.requests = [], []
        self.next_id = 1000
        self.lock = threading.Lock()
        mock = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, code, payload):
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def body(self):
                length = int(self.headers.get("Content-Length", 0))
                return json.loads(self.rfile.read(length) or b"{}")

            def handle_any(self, method):
                url = urlparse(self.path)
                with mock.lock:
                    mock.requests.append(f"{method} {url.path}")
                    if mock.fail:
                        return self.answer(500, {"message": "Server Error (mock)"})
                    if self.headers.get("Authorization") != f"Bearer {mock.token}":
                        return self.answer(401, {"message": "Bad credentials"})
                    listing, editing = LIST.match(url.path), EDIT.match(url.path)
                    if listing and listing.group(1) == mock.repo and method in ("GET", "POST"):
                        issue = int(listing.group(2))
                        if method == "GET":
                            query = parse_qs(url.query)
                            per_page = int(query.get("per_page", ["30"])[0])
                            page = int(query.get("page", ["1"])[0])
                            mine = [c for c in mock.comments if c["issue"] == issue]
                            return self.answer(200, mine[(page - 1) * per_page:page * per_page])
                        mock.next_id += 1
                        comment = {"id": mock.next_id, "issue": issue, "body": self.body()["body"],
                                   "html_url": f"https://github.test/{mock.repo}/pull/{issue}#issuecomment-{mock.next_id}"}
                        mock.comments.append(comment)
                        return self.answer(201, comment)
                    if editing and editing.group(1) == mock.repo and method == "PATCH":
                        for comment in mock.comments:
                            if comment["id"] == int(editing.group(2)):
                                comment["body"] = self.body()["body"]
                                return self.answer(200, comment)
                    return self.answer(404, {"message": "Not Found"})

            def do_GET(self):
                self.handle_any("GET")

            def do_POST(self):
                self.handle_any("POST")

            def do_PATCH(self):
                self.handle_any("PATCH")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
