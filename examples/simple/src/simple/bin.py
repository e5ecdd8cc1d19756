"""The `simple:bin` entry point. Its output is deterministic so tests can check a PEX ran
the code it was built from (including the incremental step's edit)."""
import requests  # imported for its start-up cost, as a web app would

from simple import __version__, revision, store, synthetic, web


def main() -> int:
    status, body = web.get("/hello/perfanity")
    rows = store.roundtrip([body, body.upper()])
    print(f"simple {__version__} edit={revision.PERFANITY_EDIT}")
    print(f"web: {status} {body}")
    print(f"store: {len(rows)} rows")
    print(f"synthetic: {len(synthetic.NAMES)} deps weight={synthetic.import_all()}")
    print(f"requests: {requests.__name__} ok")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
