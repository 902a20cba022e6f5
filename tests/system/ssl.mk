# tests/system/ssl.mk: plx-dbserver over SSL (pssl:), with certificates
# made by the openssl command at test time.
SYSTEM_TESTS += tests/system/test_dbserver_ssl.py
EXTRA_DIST += tests/system/test_dbserver_ssl.py
