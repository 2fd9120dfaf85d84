"""The project file: schema, migrations, input readers, frames and vectors (Qt-free)."""
