"""Host-side helpers of the lab: its settings (.env) and the checks run before compose."""
