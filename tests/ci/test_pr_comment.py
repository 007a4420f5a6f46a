#!/usr/bin/env python3
"""ci/pr-comment.py against a local stand-in for GitHub's API (mock_github.py).

    test_pr_comment.py SOURCE_DIR WORK_DIR

The pull request already has 120 other comments (so the listing takes two pages). The
first run creates the comment; the second, with another body, edits that same comment:
exactly one comment carries the marker. Then each failure gives one line naming it and
exit 1: the API answering 500, a bad token, an unreachable API, GITHUB_TOKEN unset, an
event that is not a pull request's, a missing body. Prints "test_pr_comment: ok".
"""
import json
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mock_github import MockGitHub  # noqa: E402

MARKER = "<!-- memharness-allocation-gate -->"


def fail(message):
    sys.exit(f"test_pr_comment: {message}")


def run(src, env, *args):
    return subprocess.run([sys.executable, os.path.join(src, "ci", "pr-comment.py"), *args],
                          env=env, capture_output=True, text=True, timeout=120)


def expect_error(result, pattern_start, what):
    lines = result.stderr.splitlines()
    if result.returncode != 1 or len(lines) != 1 or not lines[0].startswith(pattern_start):
        fail(f"{what}: expected exit 1 and one line starting '{pattern_start}', got exit {result.returncode}: "
             f"{result.stderr!r}")


def main(src, work):
    os.makedirs(work, exist_ok=True)
    event = os.path.join(work, "event.json")
    with open(event, "w") as f:
        json.dump({"pull_request": {"number": 7, "base": {"sha": "0" * 40}}}, f)
    body1, body2 = os.path.join(work, "body1.md"), os.path.join(work, "body2.md")
    with open(body1, "w") as f:
        f.write(f"{MARKER}\nfirst run\n")
    with open(body2, "w") as f:
        f.write("second run, no marker: the script adds it\n")

    server = MockGitHub(token="secret")
    try:
        for i in range(120):
            server.comments.append({"id": i + 1, "issue": 7, "body": f"someone else's comment {i}"})
        server.comments.append({"id": 500, "issue": 8, "body": f"{MARKER}\nanother pull request's"})
        env = {**os.environ, "GITHUB_TOKEN": "secret", "GITHUB_REPOSITORY": "owner/repo",
               "GITHUB_API_URL": server.url, "GITHUB_EVENT_PATH": event}

        first = run(src, env, body1)
        if first.returncode != 0 or not first.stdout.startswith("pr-comment: created comment "):
            fail(f"first run: exit {first.returncode}: {first.stdout!r} {first.stderr!r}")
        ours = [c for c in server.comments if c["issue"] == 7 and MARKER in c["body"]]
        if len(ours) != 1 or "first run" not in ours[0]["body"]:
            fail(f"after the first run: {len(ours)} comments with the marker")
        created = ours[0]["id"]

        second = run(src, env, body2)
        if second.returncode != 0 or not second.stdout.startswith(f"pr-comment: updated comment {created} "):
            fail(f"second run: exit {second.returncode}: {second.stdout!r} {second.stderr!r}")
        ours = [c for c in server.comments if c["issue"] == 7 and MARKER in c["body"]]
        if len(ours) != 1 or ours[0]["id"] != created or "second run" not in ours[0]["body"]:
            fail(f"after the second run: {[(c['id'], c['body']) for c in ours]}")
        if not ours[0]["body"].startswith(MARKER):
            fail("the second body did not get the marker")
        if len([c for c in server.comments if c["issue"] == 7]) != 121:
            fail("the other comments changed")
        pages = [r for r in server.requests if r.startswith("GET ")]
        if len(pages) < 4:  # two pages per run
            fail(f"the listing was not paginated: {pages}")

        expect_error(run(src, {**env, "GITHUB_TOKEN": "wrong"}, body1), "pr-comment: GET http", "bad token")
        if "HTTP 401: Bad credentials" not in run(src, {**env, "GITHUB_TOKEN": "wrong"}, body1).stderr:
            fail("a bad token's error does not say HTTP 401")
        without_token = {k: v for k, v in env.items() if k != "GITHUB_TOKEN"}
        expect_error(run(src, without_token, body1), "pr-comment: GITHUB_TOKEN is not set", "no token")
        push_event = os.path.join(work, "push.json")
        with open(push_event, "w") as f:
            json.dump({"ref": "refs/heads/main"}, f)
        expect_error(run(src, {**env, "GITHUB_EVENT_PATH": push_event}, body1),
                     "pr-comment: GITHUB_EVENT_PATH: ", "not a pull request event")
        expect_error(run(src, env, os.path.join(work, "missing.md")), "pr-comment: ", "missing body")
        if "missing.md: cannot read" not in run(src, env, os.path.join(work, "missing.md")).stderr:
            fail("a missing body's error does not name it")
        server.fail = True
        failing = run(src, env, body1)
        expect_error(failing, "pr-comment: GET http", "API answering 500")
        if "HTTP 500: Server Error (mock)" not in failing.stderr:
            fail(f"the 500's error does not say so: {failing.stderr!r}")
    finally:
        server.close()

    # Nothing listening: a port just closed.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    expect_error(run(src, {**env, "GITHUB_API_URL": closed}, body1), "pr-comment: GET http", "unreachable API")
    print("test_pr_comment: ok")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
