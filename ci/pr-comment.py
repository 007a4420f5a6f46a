#!/usr/bin/env python3
"""Creates or updates this job's one comment on a GitHub pull request.

    ci/pr-comment.py BODY.md [--pr N] [--marker TEXT]

Lists the pull request's comments ($GITHUB_API_URL/repos/$GITHUB_REPOSITORY/issues/N/
comments), finds the one holding the marker (default <!-- memharness-allocation-gate -->,
which ci/pr_summary.py puts first in the body) and replaces its body, or posts a new
comment when there is none: one comment per pull request, however often the job runs.
The pull request's number is --pr, else pull_request.number of $GITHUB_EVENT_PATH's
JSON. Needs GITHUB_TOKEN and GITHUB_REPOSITORY; GITHUB_API_URL defaults to
https://api.github.com. Python's standard library only.

Prints "pr-comment: created|updated comment ID" and exits 0; on a missing variable, a
missing body or a failed API call prints one line naming it and exits 1.
"""
import argparse
import json
import os
import sys
import urllib.error
import urllib.request

MARKER = "<!-- memharness-allocation-gate -->"
TIMEOUT = 30  # seconds per request
PER_PAGE = 100


class Failure(Exception):
    pass


def env(name):
    value = os.environ.get(name, "")
    if not value:
        raise Failure(f"{name} is not set")
    return value


def request(method, url, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "memharness-pr-comment",
        **({"Content-Type": "application/json"} if data is not None else {}),
    })
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        detail = e.read().decode(errors="replace")
        try:
            detail = json.loads(detail).get("message", detail)
        except (ValueError, AttributeError):
            pass
        raise Failure(f"{method} {url}: HTTP {e.code}: {' '.join(str(detail).split())[:200]}")
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise Failure(f"{method} {url}: {reason}")
    except ValueError as e:
        raise Failure(f"{method} {url}: the answer is not JSON ({e})")


def pr_number(given):
    if given:
        return given
    path = env("GITHUB_EVENT_PATH")
    try:
        with open(path) as f:
            number = json.load(f).get("pull_request", {}).get("number")
    except OSError as e:
        raise Failure(f"GITHUB_EVENT_PATH: cannot read {path} ({e.strerror})")
    except (ValueError, AttributeError):
        raise Failure(f"GITHUB_EVENT_PATH: {path} is not a JSON event")
    if not isinstance(number, int):
        raise Failure(f"GITHUB_EVENT_PATH: {path} has no pull_request.number (not a pull_request event?); give --pr N")
    return number


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("body")
    parser.add_argument("--pr", type=int)
    parser.add_argument("--marker", default=MARKER)
    args = parser.parse_args()
    try:
        try:
            with open(args.body) as f:
                body = f.read()
        except OSError as e:
            raise Failure(f"{args.body}: cannot read ({e.strerror})")
        if args.marker not in body:
            body = f"{args.marker}\n{body}"
        token = env("GITHUB_TOKEN")
        repo = env("GITHUB_REPOSITORY")
        api = os.environ.get("GITHUB_API_URL") or "https://api.github.com"
        number = pr_number(args.pr)
        comments_url = f"{api.rstrip('/')}/repos/{repo}/issues/{number}/comments"
        found = None
        page = 1
        while found is None:
            listed = request("GET", f"{comments_url}?per_page={PER_PAGE}&page={page}", token)
            if not isinstance(listed, list):
                raise Failure(f"GET {comments_url}: expected a list of comments")
            found = next((c for c in listed if args.marker in (c.get("body") or "")), None)
            if len(listed) < PER_PAGE:
                break
            page += 1
        if found is not None:
            result = request("PATCH", f"{api.rstrip('/')}/repos/{repo}/issues/comments/{found['id']}", token,
                             {"body": body})
            verb = "updated"
        else:
            result = request("POST", comments_url, token, {"body": body})
            verb = "created"
        result = result if isinstance(result, dict) else {}
        url = f" ({result['html_url']})" if result.get("html_url") else ""
        print(f"pr-comment: {verb} comment {result.get('id', '?')} on pull request {number}{url}")
    except Failure as e:
        print(f"pr-comment: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
