"""The scripted model as a Messages API server on 127.0.0.1, for the real `anthropic` client.

Each `POST /v1/messages` is answered by the next reply of the script, after two checks: the
request must follow the protocol (`protocol.check_request`) and meet the step's `expect`. A
failed check is recorded in `violations` and answered with a 400, which the SDK does not retry,
so a harness bug stops the run loudly.

    with ScriptedServer([call("bash", command="ls"), say("done")]) as server:
        client = anthropic.Anthropic(base_url=server.url, api_key="scripted")
        ...
    server.assert_done()

Several agents can share one server (s15's teammates): a step that names an `agent` answers only
that agent's requests, which say who sent them in the Messages API's own `metadata.user_id`
(`agent_of`); the replies of each agent are played in script order, the agents' in any order.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .protocol import check_request
from .reply import cut_events, error_json, message_json, sse, stream_events
from .scenario import ERROR_TYPES, Fault, ModelStep, Reply, Scenario, tool_id
from .usage import PromptCache, estimate_request, estimate_tokens

PARTIAL_REPLY = [{"type": "text", "text": "Let me start by looking at"}]


@dataclass
class Turn:
    """What the server decided for one request."""

    n: int  # the request's number, from 1
    step_no: int  # the reply's number in the script, from 1
    reply: Reply | None = None  # None: answer with `problem` instead
    problem: str | None = None
    content: list[dict] = field(default_factory=list)
    usage: dict | None = None


class ScriptedServer:
    def __init__(self, script: Scenario | Sequence[Reply], *, strict: bool = True, latency: float = 0,
                 block_delay: float = 0):
        """`strict=False` records protocol and `expect` problems but answers anyway (for demos);
        `latency`: seconds added before every answer, on top of a step's own `delay` (benchmarks);
        `block_delay`: seconds added after each streamed content block, on top of a step's own."""
        self.replies: list[Reply] = list(script.replies if isinstance(script, Scenario) else script)
        for reply in self.replies:
            if not isinstance(reply, ModelStep | Fault):
                raise TypeError(f"a script holds ModelStep and Fault steps, not {reply!r}")
        self.strict = strict
        self.latency = latency
        self.block_delay = block_delay
        self.requests: list[dict] = []  # every body sent to /v1/messages, in order
        self.violations: list[str] = []
        self.n_used = 0  # replies played so far
        self.played = [False] * len(self.replies)  # which replies were played
        self.cursors: dict[str | None, int] = {}  # agent -> where its next reply may be, in `replies`
        self.cache = PromptCache()
        self._lock = threading.Lock()
        self._httpd: _HTTPServer | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the scripted server is not started")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def steps_left(self) -> int:
        return len(self.replies) - self.n_used

    def start(self) -> ScriptedServer:
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.scripted = self
        # subtle: shutdown() waits up to one poll interval, and tests start many servers
        thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        thread.start()
        return self

    def close(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    def assert_done(self) -> None:
        """Raise AssertionError if any request broke a rule or some replies were never asked for."""
        problems = list(self.violations)
        if self.steps_left:
            left = ", ".join(reply.describe() for reply, done in zip(self.replies, self.played, strict=True)
                             if not done)
            problems.append(f"scripted model: {self.steps_left} scripted repl{'y was' if self.steps_left == 1 else 'ies were'} never asked for: {left}")
        if problems:
            raise AssertionError("\n".join(problems))

    def take(self, body: dict) -> Turn:
        """Pick the reply for one request, or the problem to answer it with instead."""
        with self._lock:
            self.requests.append(body)
            agent = agent_of(body)
            index = self._next_for(agent)
            turn = Turn(n=len(self.requests), step_no=index + 1)
            if index == len(self.replies):
                sender = f" from {agent}" if agent else ""
                turn.problem = self._violation(f"the script has no step left for request #{turn.n}{sender}")
                return turn
            reply = self.replies[index]
            problems = [f"request #{turn.n} breaks the protocol: {p}" for p in check_request(body)]
            if reply.expect:
                where = f"reply {turn.step_no} ({reply.describe()}) answering request #{turn.n}"
                problems += [f"{where}: {p}" for p in reply.expect.problems(body)]
            if problems:
                turn.problem = self._violation("; ".join(problems))
                if self.strict:
                    return turn
            self.n_used += 1
            self.played[index] = True
            self.cursors[agent] = index + 1
            turn.reply = reply
            if isinstance(reply, ModelStep):
                turn.content = fresh_ids(reply.content(turn.step_no), body)
                turn.usage = self.cache.usage_for(body, sum(estimate_tokens(b) for b in turn.content))
            return turn

    def _next_for(self, agent: str | None) -> int:
        """The index of `agent`'s next reply, or len(replies) when it has none left."""
        index = self.cursors.get(agent, 0)
        while index < len(self.replies) and (self.played[index] or self.replies[index].agent != agent):
            index += 1
        return index

    def _violation(self, problem: str) -> str:
        self.violations.append("scripted model: " + problem)
        return self.violations[-1]


def fresh_ids(content: list[dict], body: dict) -> list[dict]:
    """subtle: a script's tool_use ids are the same on every run (`tool_id`), so a session resumed
    against the same script (full's `--continue`) would get an id its history already holds; the
    API never repeats one, so neither does the server."""
    held = {block.get("id") for message in body.get("messages", []) if isinstance(message.get("content"), list)
            for block in message["content"] if isinstance(block, dict) and block.get("type") == "tool_use"}
    for block in content:
        if block["type"] == "tool_use" and block["id"] in held:
            block["id"] = tool_id(block["id"], len(held))
    return content


def agent_of(body: dict) -> str | None:
    """Which agent sent a request: its `metadata.user_id` (s15's teammates set it to their name);
    None, the lead, when it has none."""
    metadata = body.get("metadata")
    user = metadata.get("user_id") if isinstance(metadata, dict) else None
    return user if isinstance(user, str) and user else None


# ---------------------------------------------------------------------------------------------


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    scripted: ScriptedServer

    def handle_error(self, request, client_address) -> None:
        """Record a crash while answering as a violation, instead of printing it to stderr."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):  # the client hung up: nothing to report
            self.scripted.violations.append(f"scripted model: crashed while answering: {error!r}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and chunked bodies for streams
    server_version = "scripted-claude"
    timeout = 60

    def setup(self) -> None:
        super().setup()
        # subtle: without this, Nagle's algorithm holds back each small write for ~40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args) -> None:
        pass

    def do_GET(self) -> None:
        self.send_json(404, error_json("not_found_error", f"scripted model: no route for GET {self.path}", "req_0"))

    def do_POST(self) -> None:
        path = urlsplit(self.path).path.rstrip("/")
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        if path == "/v1/messages":
            self.answer(body)
        elif path == "/v1/messages/count_tokens" and isinstance(body, dict):
            self.send_json(200, {"input_tokens": estimate_request(body)})
        else:
            self.send_json(404, error_json("not_found_error", f"scripted model: no route for POST {path}", "req_0"))

    def answer(self, body) -> None:
        body = body if isinstance(body, dict) else {"body": body}
        turn = self.server.scripted.take(body)
        rid, reply = f"req_scripted_{turn.n:03d}", turn.reply
        if reply is None:
            self.send_json(400, error_json("invalid_request_error", turn.problem, rid))
            return
        time.sleep(reply.delay + self.server.scripted.latency)
        stream, model = bool(body.get("stream")), body.get("model")
        msg_id = f"msg_scripted_{turn.step_no:03d}"
        if isinstance(reply, ModelStep):
            message = message_json(msg_id, model, turn.content, reply.stop, turn.usage)
            if stream:
                self.send_events(stream_events(message), rid, pause=reply.block_delay + self.server.scripted.block_delay)
            else:
                self.send_json(200, message, {"request-id": rid})
            return
        usage = {"input_tokens": estimate_request(body), "output_tokens": 0}
        if reply.drop:
            self.cut()
        elif reply.end_early and stream:
            self.send_events(cut_events(message_json(msg_id, model, PARTIAL_REPLY, None, usage)), rid)
        elif reply.cut_stream:
            if stream:
                self.send_events(cut_events(message_json(msg_id, model, PARTIAL_REPLY, None, usage)), rid,
                                 finish=False)
            self.cut()
        elif reply.error_event and stream:
            start = {"type": "message_start", "message": message_json(msg_id, model, [], None, usage)}
            error = error_json(reply.error_type, reply.message or f"scripted {reply.error_type}", rid)
            self.send_events([("message_start", start), ("error", error)], rid)
        else:
            self.send_fault(reply, body, rid)

    def send_fault(self, fault: Fault, body: dict, rid: str) -> None:
        status = fault.status or {v: k for k, v in ERROR_TYPES.items()}[fault.error_type]
        message = fault.message or f"scripted {fault.error_type}"
        if fault.prompt_too_long:
            message = f"prompt is too long: {fault.maximum + estimate_request(body)} tokens > {fault.maximum} maximum"
        headers = {"request-id": rid}
        if fault.retry_after is not None:
            headers["retry-after"] = f"{fault.retry_after:g}"
        self.send_json(status, error_json(fault.error_type, message, rid), headers)

    def send_json(self, status: int, data: dict, headers: dict | None = None) -> None:
        payload = json.dumps(data, ensure_ascii=False).encode()
        self.send_response(status)
        for key, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def send_events(self, events, rid: str, finish: bool = True, pause: float = 0) -> None:
        """Stream events as chunks; `finish=False` leaves the body unterminated, for a cut; `pause`:
        seconds to wait after each `content_block_stop` (a slow stream)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("request-id", rid)
        self.end_headers()
        for name, data in events:
            chunk = sse(name, data)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            if pause and name == "content_block_stop":
                self.wfile.flush()
                time.sleep(pause)
        if finish:
            self.wfile.write(b"0\r\n\r\n")

    def cut(self) -> None:
        """Drop the connection mid-response, the way a network failure would."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
