# The ECSI model of the mobi data (seminr documentation): cxstats pls tests/fixtures/data/mobi.csv --model @analyses/ecsi_mobi.pls
Image =~ IMAG1+IMAG2+IMAG3+IMAG4+IMAG5
Expectation =~ CUEX1+CUEX2+CUEX3
Quality =~ PERQ1+PERQ2+PERQ3+PERQ4+PERQ5+PERQ6+PERQ7
Value =~ PERV1+PERV2
Satisfaction =~ CUSA1+CUSA2+CUSA3
Complaints =~ CUSCO
Loyalty =~ CUSL1+CUSL2+CUSL3
Expectation ~ Image
Quality ~ Expectation
Value ~ Expectation + Quality
Satisfaction ~ Image + Expectation + Quality + Value
Complaints ~ Satisfaction
Loyalty ~ Image + Satisfaction + Complaints
