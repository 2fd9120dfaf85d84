"""Static resources: the bundled sample and the style sheet."""

from pathlib import Path

SAMPLE_DIR = Path(__file__).with_name("sample")
SAMPLE_DATA = SAMPLE_DIR / "banking77_test.csv"
SAMPLE_OUTPUTS = SAMPLE_DIR / "model_outputs.parquet"
