from simple import store


def test_roundtrip_keeps_order():
    assert store.roundtrip(["b", "a", "c"]) == ["b", "a", "c"]
