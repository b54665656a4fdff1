"""REST API of org units: read by anyone, written by holders of the model permissions."""
