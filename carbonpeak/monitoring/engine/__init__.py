"""Pure numpy engine for online energy monitoring (no Django imports).

Timestamps are int64 epoch seconds (UTC). Calendar buckets (hour, day, month) are
taken in local time with a fixed offset (Asia/Shanghai, UTC+8, no DST).
"""
