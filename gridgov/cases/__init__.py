"""Case engine (网格事件, 接诉即办): one engine, declarative flows per case type."""
