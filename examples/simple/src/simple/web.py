"""A tiny Flask app, exercised in-process through its test client (no sockets)."""
from flask import Flask

from simple.greeting import greet

app = Flask("simple")


@app.route("/hello/<name>")
def hello(name: str) -> str:
    return greet(name)


def get(path: str) -> tuple[int, str]:
    with app.test_client() as client:
        response = client.get(path)
        return response.status_code, response.get_data(as_text=True)
