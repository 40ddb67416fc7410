"""`python -m weightgate.knowledge`: compile the TOML data into knowledge.json (run after editing data)."""
from .compiler import compile_data

print(f"wrote {compile_data()}")
