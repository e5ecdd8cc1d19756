"""An in-memory SQLite store through SQLAlchemy Core, so running imports a large package."""
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select

_metadata = MetaData()
greetings = Table("greetings", _metadata, Column("id", Integer, primary_key=True), Column("text", String))


def roundtrip(texts: list[str]) -> list[str]:
    engine = create_engine("sqlite://")
    _metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(greetings), [{"text": t} for t in texts])
        return [row.text for row in conn.execute(select(greetings.c.text).order_by(greetings.c.id))]
