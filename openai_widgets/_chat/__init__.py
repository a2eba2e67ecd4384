"""What chat calls share: messages and images in them, sampling checks, results and streams."""
