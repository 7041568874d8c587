-- Generated rows for the demo schema (run after demo_schema.sql, with DEMO as the current
-- schema): the sizes and shapes of the Oracle emulator's demo data (1,000 customers, 10,000
-- orders with one to five lines each, 100,000 BENCH_ROWS), not the same values.
-- ORA_HASH(n, max, seed) is a reproducible pseudo-random integer in [0, max].

INSERT INTO CUSTOMER (CUSTOMER_ID, NAME, EMAIL, COUNTRY, CITY, CREATED_AT, CREDIT_LIMIT, NOTES)
SELECT n,
       first_name || ' ' || last_name,
       LOWER(first_name) || '.' || LOWER(last_name) || n || '@example.com',
       DECODE(ORA_HASH(n, 9, 3), 0, 'DE', 1, 'US', 2, 'FR', 3, 'JP', 4, 'BR', 5, 'IN',
              6, 'GB', 7, 'PL', 8, 'ZA', 'AU'),
       DECODE(ORA_HASH(n, 7, 4), 0, N'Zürich', 1, N'München', 2, N'São Paulo', 3, N'Kraków',
              4, N'東京', 5, N'Paris', 6, N'Durban', N'Perth'),
       TIMESTAMP '2019-01-01 00:00:00 +00:00'
           + NUMTODSINTERVAL(ORA_HASH(n, 157679999, 5) + ORA_HASH(n, 999999, 6) / 1000000,
                             'SECOND'),
       ORA_HASH(n, 9999999, 7) / 100,
       CASE WHEN ORA_HASH(n, 3, 8) = 0 THEN NULL
            ELSE TO_CLOB('Customer since ' || (2019 + ORA_HASH(n, 5, 9))
                         || RPAD('.', 14 * (1 + ORA_HASH(n, 39, 11)), '. Prefers oak'))
       END
FROM (SELECT LEVEL AS n,
             DECODE(ORA_HASH(LEVEL, 9, 1), 0, 'Ada', 1, 'Grace', 2, 'Alan', 3, 'Edsger',
                    4, 'Barbara', 5, 'Donald', 6, 'Ken', 7, 'Frances', 8, 'Linus', 'Ole')
                 AS first_name,
             DECODE(ORA_HASH(LEVEL, 7, 2), 0, 'Lovelace', 1, 'Hopper', 2, 'Turing',
                    3, 'Dijkstra', 4, 'Liskov', 5, 'Knuth', 6, 'Thompson', 'Allen')
                 AS last_name
      FROM DUAL CONNECT BY LEVEL <= 1000);

INSERT INTO SALES_ORDER (ORDER_ID, CUSTOMER_ID, ORDER_DATE, STATUS, TOTAL_AMOUNT, CURRENCY,
                         UPDATED_AT)
SELECT n,
       ORA_HASH(n, 999, 21) + 1,
       DATE '2023-01-01' + ORA_HASH(n, 999, 22) + ORA_HASH(n, 86399, 23) / 86400,
       DECODE(ORA_HASH(n, 5, 24), 0, 'NEW', 1, 'PAID', 2, 'SHIPPED', 3, 'DELIVERED',
              4, 'CANCELLED', 'RETURNED'),
       ORA_HASH(n, 99999999, 25) / 100,
       DECODE(ORA_HASH(n, 2, 26), 0, 'EUR', 1, 'USD', 'JPY'),
       TIMESTAMP '2023-01-01 00:00:00'
           + NUMTODSINTERVAL(ORA_HASH(n, 94607999, 27) + ORA_HASH(n, 999999, 28) / 1000000,
                             'SECOND')
FROM (SELECT LEVEL AS n FROM DUAL CONNECT BY LEVEL <= 10000);

-- one to five lines per order
INSERT INTO SALES_LINE_ITEM (ORDER_ID, LINE_NO, PRODUCT_CODE, DESCRIPTION, QUANTITY,
                             UNIT_PRICE, DISCOUNT)
SELECT o.ORDER_ID,
       l.n,
       'P-' || LPAD(ORA_HASH(o.ORDER_ID * 5 + l.n, 4999, 31), 5, '0'),
       INITCAP(DECODE(ORA_HASH(o.ORDER_ID * 5 + l.n, 9, 32), 0, 'steel', 1, 'oak',
                      2, 'copper', 3, 'linen', 4, 'glass', 5, 'wool', 6, 'maple', 7, 'slate',
                      8, 'amber', 'jade'))
           || ' ' || DECODE(ORA_HASH(o.ORDER_ID * 5 + l.n, 7, 33), 0, N'Zürich',
                            1, N'München', 2, N'São Paulo', 3, N'Kraków', 4, N'東京',
                            5, N'Paris', 6, N'Durban', N'Perth')
           || N' édition',
       ORA_HASH(o.ORDER_ID * 5 + l.n, 99999, 34) / 1000,
       ORA_HASH(o.ORDER_ID * 5 + l.n, 9999999, 35) / 10000,
       TO_BINARY_DOUBLE(ORA_HASH(o.ORDER_ID * 5 + l.n, 29, 36) / 100)
FROM SALES_ORDER o
     CROSS JOIN (SELECT LEVEL AS n FROM DUAL CONNECT BY LEVEL <= 5) l
WHERE l.n <= 1 + ORA_HASH(o.ORDER_ID, 4, 37);

INSERT INTO BENCH_ROWS (ID, AMOUNT, QTY, PRICE, NAME, DESCRIPTION, STATUS, CREATED, UPDATED,
                        NOTE, CODE, FLAG)
SELECT n,
       ORA_HASH(n, 999999999, 41) / 100,
       ORA_HASH(n, 999998, 42) + 1,
       TO_BINARY_DOUBLE(ORA_HASH(n, 9999999, 43) / 1000),
       'Item ' || word1 || ' ' || LPAD(n, 9, '0'),
       'A ' || word1 || ' thing made of ' || word2 || ' and ' || word3 || ', batch '
           || LPAD(ORA_HASH(n, 99999999, 48), 8, '0') || ', inspected and packed',
       DECODE(ORA_HASH(n, 3, 49), 0, 'N', 1, 'P', 2, 'S', 'C'),
       DATE '2020-01-01' + ORA_HASH(n, 1999, 50) + ORA_HASH(n, 86399, 51) / 86400,
       TIMESTAMP '2024-01-01 00:00:00'
           + NUMTODSINTERVAL(ORA_HASH(n, 63071999, 52) + ORA_HASH(n, 999999, 53) / 1000000,
                             'SECOND'),
       CASE WHEN ORA_HASH(n, 1, 54) = 0 THEN NULL
            ELSE 'note ' || word2 || ' ' || ORA_HASH(n, 999999, 56) END,
       'C' || LPAD(ORA_HASH(n, 99999, 57), 6, '0'),
       ORA_HASH(n, 1, 58)
FROM (SELECT LEVEL AS n,
             DECODE(ORA_HASH(LEVEL, 9, 44), 0, 'steel', 1, 'oak', 2, 'copper', 3, 'linen',
                    4, 'glass', 5, 'wool', 6, 'maple', 7, 'slate', 8, 'amber', 'jade') AS word1,
             DECODE(ORA_HASH(LEVEL, 9, 45), 0, 'steel', 1, 'oak', 2, 'copper', 3, 'linen',
                    4, 'glass', 5, 'wool', 6, 'maple', 7, 'slate', 8, 'amber', 'jade') AS word2,
             DECODE(ORA_HASH(LEVEL, 9, 46), 0, 'steel', 1, 'oak', 2, 'copper', 3, 'linen',
                    4, 'glass', 5, 'wool', 6, 'maple', 7, 'slate', 8, 'amber', 'jade') AS word3
      FROM DUAL CONNECT BY LEVEL <= 100000);

COMMIT;

-- optimizer statistics: the provider reads NUM_ROWS as the progress estimate
BEGIN
    DBMS_STATS.GATHER_SCHEMA_STATS(ownname => 'DEMO');
END;
/
