"""A loopback stub of Open WebUI's prompt and model API, written from its routers
(backend/open_webui/routers/prompts.py and models.py): prompts keyed by ``command``, models by
``id``; Bearer-token authentication; a missing prompt or model answers 401 NOT_FOUND as those
routers do; creating a taken command answers 400."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

API_KEY = "sk-stub-key"


class _Handler(BaseHTTPRequestHandler):
    state: dict

    def log_message(self, *args):
        pass

    def _send(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> bool:
        if self.headers.get("Authorization") == f"Bearer {API_KEY}":
            return True
        self._send(401, {"detail": "Not authenticated"})
        return False

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length", 0))
        return json.loads(self.rfile.read(length) or b"{}")

    def do_GET(self):
        if not self._authorised():
            return
        url = urlsplit(self.path)
        self.state["calls"].append(("GET", url.path))
        if url.path == "/api/v1/prompts/":
            return self._send(200, list(self.state["prompts"].values()))
        if url.path == "/api/v1/models/model":
            model = self.state["models"].get(parse_qs(url.query).get("id", [""])[0])
            if model is None:
                return self._send(401, {"detail": "We could not find what you're looking for :/"})
            return self._send(200, model)
        return self._send(404, {"detail": "Not Found"})

    def do_POST(self):
        if not self._authorised():
            return
        path = urlsplit(self.path).path
        body = self._body()
        self.state["calls"].append(("POST", path))
        prompts, models = self.state["prompts"], self.state["models"]
        if path == "/api/v1/prompts/create":
            if body["command"] in prompts:
                return self._send(400, {"detail": "Uh-oh! This command is already registered."})
            prompts[body["command"]] = {
                "command": body["command"],
                "user_id": "admin",
                "title": body["title"],
                "content": body["content"],
                "timestamp": int(time.time()),
                "access_control": body.get("access_control"),
            }
            return self._send(200, prompts[body["command"]])
        if path.startswith("/api/v1/prompts/command/") and path.endswith("/update"):
            command = path.removeprefix("/api/v1/prompts/command/").removesuffix("/update")
            if command not in prompts:
                return self._send(401, {"detail": "We could not find what you're looking for :/"})
            prompts[command].update(title=body["title"], content=body["content"])
            return self._send(200, prompts[command])
        if path == "/api/v1/models/create":
            if body["id"] in models:
                return self._send(401, {"detail": "Uh-oh! This id is already registered."})
            models[body["id"]] = {**body, "user_id": "admin", "updated_at": int(time.time())}
            return self._send(200, models[body["id"]])
        if path == "/api/v1/models/model/update":
            if body["id"] not in models:
                return self._send(401, {"detail": "We could not find what you're looking for :/"})
            models[body["id"]].update(body)
            return self._send(200, models[body["id"]])
        return self._send(404, {"detail": "Not Found"})


class OpenWebUIStub:
    def __enter__(self):
        self.state = {"prompts": {}, "models": {}, "calls": []}
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def writes(self) -> list[tuple[str, str]]:
        return [call for call in self.state["calls"] if call[0] == "POST"]
