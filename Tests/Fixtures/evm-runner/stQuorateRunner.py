# Writes stQuorateRunner.json, the hand-made state test of QuorateEVMRunnerTests. Its expected
# roots and logs hashes come from this independent model (Keccak-f[1600], RLP and the Merkle
# Patricia trie written here in Python, sharing no code with the Swift runner) and from gas
# counted by hand in the comments below. Run: python3 stQuorateRunner.py
import json, os
HERE = os.path.dirname(os.path.abspath(__file__))
RC=[0x0000000000000001,0x0000000000008082,0x800000000000808A,0x8000000080008000,0x000000000000808B,0x0000000080000001,0x8000000080008081,0x8000000000008009,0x000000000000008A,0x0000000000000088,0x0000000080008009,0x000000008000000A,0x000000008000808B,0x800000000000008B,0x8000000000008089,0x8000000000008003,0x8000000000008002,0x8000000000000080,0x000000000000800A,0x800000008000000A,0x8000000080008081,0x8000000000008080,0x0000000080000001,0x8000000080008008]
ROT=[[0,36,3,41,18],[1,44,10,45,2],[62,6,43,15,61],[28,55,25,21,56],[27,20,39,8,14]]
M=(1<<64)-1
def rol(v,n): return ((v<<n)|(v>>(64-n)))&M if n else v
def f(A):
    for rc in RC:
        C=[A[x][0]^A[x][1]^A[x][2]^A[x][3]^A[x][4] for x in range(5)]
        D=[C[(x-1)%5]^rol(C[(x+1)%5],1) for x in range(5)]
        A=[[A[x][y]^D[x] for y in range(5)] for x in range(5)]
        B=[[0]*5 for _ in range(5)]
        for x in range(5):
            for y in range(5): B[y][(2*x+3*y)%5]=rol(A[x][y],ROT[x][y])
        A=[[B[x][y]^((~B[(x+1)%5][y])&B[(x+2)%5][y]) for y in range(5)] for x in range(5)]
        A[0][0]^=rc
    return A
def keccak(data):
    rate=136; p=bytearray(data); p.append(1)
    while len(p)%rate: p.append(0)
    p[-1]|=0x80
    A=[[0]*5 for _ in range(5)]
    for o in range(0,len(p),rate):
        blk=p[o:o+rate]
        for i in range(rate//8):
            x,y=i%5,i//5; A[x][y]^=int.from_bytes(blk[8*i:8*i+8],'little')
        A=f(A)
    out=b''
    for i in range(4): out+=A[i%5][i//5].to_bytes(8,'little')
    return out
assert keccak(b'').hex()=='c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470'
def rlp(x):
    if isinstance(x,list):
        body=b''.join(rlp(i) for i in x); return hdr(len(body),0xc0)+body
    if len(x)==1 and x[0]<0x80: return bytes(x)
    return hdr(len(x),0x80)+bytes(x)
def hdr(n,base):
    if n<56: return bytes([base+n])
    b=n.to_bytes((n.bit_length()+7)//8,'big'); return bytes([base+55+len(b)])+b
def ib(n): return n.to_bytes((n.bit_length()+7)//8,'big') if n else b''
def hp(nibs,leaf):
    flag=(2 if leaf else 0)+(len(nibs)%2)
    if len(nibs)%2: nibs=[flag]+nibs
    else: nibs=[flag,0]+nibs
    return bytes(nibs[i]*16+nibs[i+1] for i in range(0,len(nibs),2))
def node(items):  # items: list of (nibbles, value)
    if len(items)==1:
        return [hp(items[0][0],True), items[0][1]]
    pre=0
    while all(len(k)>pre for k,_ in items) and len({k[pre] for k,_ in items})==1: pre+=1
    if pre>0:
        return [hp(items[0][0][:pre],False), ref(node([(k[pre:],v) for k,v in items]))]
    br=[b'']*17
    for n in range(16):
        sub=[(k[1:],v) for k,v in items if k and k[0]==n]
        if sub: br[n]=ref(node(sub))
    for k,v in items:
        if not k: br[16]=v
    return br
def ref(n):
    e=rlp(n); return n if len(e)<32 else keccak(e)
def trie(d):
    if not d: return keccak(rlp(b''))
    items=[(sum(([b>>4,b&15] for b in k),[]),v) for k,v in d.items()]
    return keccak(rlp(node(items)))
def sroot(storage):
    return trie({keccak(k.to_bytes(32,'big')):rlp(ib(v)) for k,v in storage.items() if v})
def state_root(accts):
    return '0x'+trie({keccak(bytes.fromhex(a[2:])):rlp([ib(x['nonce']),ib(x['balance']),sroot(x.get('storage',{})),keccak(x.get('code',b''))]) for a,x in accts.items()}).hex()
def logs_hash(logs):
    return '0x'+keccak(rlp([[bytes.fromhex(a[2:]),[t for t in ts],d] for a,ts,d in logs])).hex()
# sanity: the secure-trie fixture from ethereum/tests
t=json.loads(open(os.path.join(HERE, 'TrieTests/hex_encoded_securetrie_test.json')).read().replace('},\n}','}\n}'))['test1']
assert '0x'+trie({keccak(bytes.fromhex(k[2:])):bytes.fromhex(v[2:]) for k,v in t['data']}).hex()==t['result']
ETH=10**18
SENDER='0xa94f5374fce5edbc8e2a8697c15331677e6ebf0b'; KEY='0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8'
COINBASE='0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba'
RECIP='0x0000000000000000000000000000000000001000'; CONTRACT='0x0000000000000000000000000000000000002000'
EMPTY_LOGS=logs_hash([])
env={"currentBaseFee":"0x0a","currentCoinbase":COINBASE,"currentDifficulty":"0x020000","currentExcessBlobGas":"0x00","currentGasLimit":"0x05f5e100","currentNumber":"0x01","currentRandom":"0x"+"00"*29+"020000","currentTimestamp":"0x03e8"}
def jacct(x): return {"balance":hex(x['balance']),"code":"0x"+x.get('code',b'').hex(),"nonce":hex(x['nonce']),"storage":{hex(k):hex(v) for k,v in x.get('storage',{}).items()}}
def copy(p): return {a:dict(x, storage=dict(x.get('storage',{}))) for a,x in p.items()}
out={}
# 1. a legacy transfer: valid at 21000 gas, refused below intrinsic gas and above 2^64-1
pre={SENDER:{'balance':ETH,'nonce':0},RECIP:{'balance':0,'nonce':0},COINBASE:{'balance':0,'nonce':1}}
post=copy(pre); post[SENDER]['balance']=ETH-21000*10-1; post[SENDER]['nonce']=1; post[RECIP]['balance']=1
preroot=state_root(pre)
out['legacyTransfer']={"_info":{"comment":"hand-made for Quorate's runner by stQuorateRunner.py"},"env":env,"pre":{a:jacct(x) for a,x in pre.items()},
 "transaction":{"data":["0x"],"gasLimit":["0x5208","0x5207","0x010000000000000000"],"gasPrice":"0x0a","nonce":"0x00","secretKey":KEY,"sender":SENDER,"to":RECIP,"value":["0x01"]},
 "post":{"Cancun":[
  {"indexes":{"data":0,"gas":0,"value":0},"hash":state_root(post),"logs":EMPTY_LOGS,"txbytes":"0x"},
  {"indexes":{"data":0,"gas":1,"value":0},"hash":preroot,"logs":EMPTY_LOGS,"txbytes":"0x","expectException":"TransactionException.INTRINSIC_GAS_TOO_LOW"},
  {"indexes":{"data":0,"gas":2,"value":0},"hash":preroot,"logs":EMPTY_LOGS,"txbytes":"0x","expectException":"TransactionException.GASLIMIT_OVERFLOW"}]}}
# 2. a type-2 call that stores and logs: 21000 + 22755 gas at min(20, 10+2) = 12 per gas
code=bytes.fromhex('602a60005260206000a0600160005500')
pre={SENDER:{'balance':ETH,'nonce':0},CONTRACT:{'balance':0,'nonce':1,'code':code},COINBASE:{'balance':0,'nonce':1}}
gas=21000+3+3+6+3+3+631+3+3+22100
post=copy(pre); post[SENDER]['balance']=ETH-gas*12; post[SENDER]['nonce']=1; post[CONTRACT]['storage']={0:1}; post[COINBASE]['balance']=gas*2
out['storeAndLog']={"env":env,"pre":{a:jacct(x) for a,x in pre.items()},
 "transaction":{"data":["0x"],"gasLimit":["0x0186a0"],"maxFeePerGas":"0x14","maxPriorityFeePerGas":"0x02","nonce":"0x00","secretKey":KEY,"sender":SENDER,"to":CONTRACT,"value":["0x00"]},
 "post":{"Cancun":[{"indexes":{"data":0,"gas":0,"value":0},"hash":state_root(post),"logs":logs_hash([(CONTRACT,[],(42).to_bytes(32,'big'))]),"txbytes":"0x"}]}}
# 3. a type-1 transfer with an access list of one address and one key: 21000 + 2400 + 1900 gas
pre={SENDER:{'balance':ETH,'nonce':0},RECIP:{'balance':0,'nonce':0},COINBASE:{'balance':0,'nonce':1}}
post=copy(pre); post[SENDER]['balance']=ETH-25300*10-1; post[SENDER]['nonce']=1; post[RECIP]['balance']=1
out['accessListTransfer']={"env":env,"pre":{a:jacct(x) for a,x in pre.items()},
 "transaction":{"data":["0x"],"accessLists":[[{"address":RECIP,"storageKeys":["0x"+"00"*32]}]],"gasLimit":["0x7530"],"gasPrice":"0x0a","nonce":"0x00","secretKey":KEY,"sender":SENDER,"to":RECIP,"value":["0x01"]},
 "post":{"Cancun":[{"indexes":{"data":0,"gas":0,"value":0},"hash":state_root(post),"logs":EMPTY_LOGS,"txbytes":"0x"}]}}
# 4. a blob transaction: skipped by the runner
out['blobTransaction']={"env":env,"pre":{a:jacct(x) for a,x in pre.items()},
 "transaction":{"data":["0x"],"gasLimit":["0x5208"],"maxFeePerGas":"0x14","maxPriorityFeePerGas":"0x02","maxFeePerBlobGas":"0x01","blobVersionedHashes":["0x01"+"00"*31],"nonce":"0x00","secretKey":KEY,"sender":SENDER,"to":RECIP,"value":["0x01"]},
 "post":{"Cancun":[{"indexes":{"data":0,"gas":0,"value":0},"hash":preroot,"logs":EMPTY_LOGS,"txbytes":"0x"}]}}
open(os.path.join(HERE, 'stQuorateRunner.json'), 'w').write(json.dumps(out,indent=2,sort_keys=True)+'\n')
print('written', preroot)
