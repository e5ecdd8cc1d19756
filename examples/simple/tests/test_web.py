from simple import web


def test_hello_route():
    assert web.get("/hello/bob") == (200, "Hello, bob!")


def test_unknown_route_is_404():
    status, _ = web.get("/nope")
    assert status == 404
