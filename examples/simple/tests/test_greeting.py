from simple.greeting import greet


def test_greet_names_the_caller():
    assert greet("ada") == "Hello, ada!"


def test_greet_defaults_to_world():
    assert greet("") == "Hello, world!"
