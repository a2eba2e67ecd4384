"""Files to upload: paths, bytes, file objects and DataFrames as one seekable source."""
