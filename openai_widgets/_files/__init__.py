"""Files on their way to the server: what the upload and vector store functions take and send.

`sources` turns what `upload_file` takes into one seekable source; `parts` cuts a large
file for the Uploads API and reads each part as it is sent; `pool` runs uploads on a few
threads that stop cleanly; `collect` turns `files=` (paths, folders, globs, File IDs,
DataFrames) into documents, and `resume` decides which are already in the store;
`formats` says which extensions file search reads and their MIME types; `store_options`
and `filters` check what a vector store and its search take; `progress` draws the bars;
`errors` holds what a stopped upload or ingestion raises.
"""
