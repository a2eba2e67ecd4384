"""Fine-tuning: local data checks, argument checks, the monitor's snapshots, the loss chart."""
